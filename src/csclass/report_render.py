"""Lay out a report dict (see :mod:`csclass.report`) as Markdown, HTML, Excel or JSON.

All chat text is treated as hostile: HTML escapes it, Markdown escapes table
syntax, Excel cells that look like formulas are written as text with a leading
apostrophe. The HTML file is self-contained (inline CSS and SVG, no scripts, no
external requests).
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

from .taxonomy import CAUSE_LABELS, TYPE_LABELS
from .writer import atomic_path, neutralize_cell

RESP_LABELS = ("商家", "物流", "客户")
KPI_COLUMNS = (
    ("conversations", "会话数", "{:.0f}"),
    ("first_response_mean_s", "首响均值(秒)", "{:.1f}"),
    ("first_response_p95_s", "首响P95(秒)", "{:.1f}"),
    ("first_response_p99_s", "首响P99(秒)", "{:.1f}"),
    ("avg_response_mean_s", "平均响应(秒)", "{:.1f}"),
    ("satisfaction_mean", "满意度(1-5)", "{:.2f}"),
    ("resolution_rate", "解决率", "pct"),
    ("repeat_rate", "重复问题率", "pct"),
    ("complaint_rate", "投诉率", "pct"),
)
KPI_NAMES = {
    "first_response": "首次响应时长",
    "satisfaction": "满意度",
    "resolution": "解决率",
    "repeat": "重复问题率",
    "per_agent": "人效（人均会话数）",
}
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f"]


def pct(value: float | None, digits: int = 1) -> str:
    """Format a fraction as a percentage; ``—`` when missing."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def pp(value: float | None) -> str:
    """Format a change in percentage points."""
    return "—" if value is None else f"{value:+.1f}"


def fmt_kpi(value: Any, spec: str) -> str:
    if value is None:
        return "—"
    return pct(value) if spec == "pct" else spec.format(value)


def _sig(entry: dict[str, Any]) -> str:
    if entry.get("p_value") is None:
        return "—"
    return f"是 (p={entry['p_value']:.3f})" if entry["significant"] else f"否 (p={entry['p_value']:.2f})"


# -- tables shared by all layouts ------------------------------------------------------


def tables(report: dict[str, Any]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Return every report table as (header, rows), rows holding raw values or text."""
    out: dict[str, tuple[list[str], list[list[Any]]]] = {}
    out["概览"] = (
        ["指标", "数值"],
        [
            ["统计月份", report["month"]],
            ["对比月份", report["previous_month"] or "—"],
            ["本月会话数", report["conversations"]],
            ["上月会话数", report["previous_conversations"] if report["previous_conversations"] is not None else "—"],
            ["环比变化", "—" if report["change_pct"] is None else f"{report['change']:+d}（{report['change_pct']:+.1f}%）"],
            ["需复核占比", pct(report["review_share"])],
            ["无时间的会话（未计入月度统计）", report["no_time"]],
        ],
    )
    share_head = ["会话数", "占比", "上月占比", "变化(百分点)", "变化显著"]
    out["问题类型划分"] = (
        ["问题类型", *share_head],
        [
            [lab, e["count"], pct(e["share"]), pct(e["previous_share"]), pp(e["change_pp"]), _sig(e)]
            for lab, e in ((lab, report["type"][lab]) for lab in TYPE_LABELS)
        ],
    )
    rows = []
    for lab in CAUSE_LABELS:
        e = report["cause"][lab]
        adj = "—" if e.get("adjusted_share") is None else f"{pct(e['adjusted_share'])}（{pct(e['ci95'][0])}–{pct(e['ci95'][1])}）"
        rows.append(
            [lab, e["count"], pct(e["share"]), pct(e["previous_share"]), pp(e["change_pp"]), _sig(e), adj, "、".join(e["keywords"][:6])]
        )
    out["具体原因剖析"] = (["原因类别", *share_head, "校正占比（95%区间）", "本月特征词"], rows)
    out["投诉原因分布"] = (
        ["原因类别（仅投诉）", *share_head],
        [
            [lab, e["count"], pct(e["share"]), pct(e["previous_share"]), pp(e["change_pp"]), _sig(e)]
            for lab, e in ((lab, report["complaint_cause"][lab]) for lab in CAUSE_LABELS)
        ],
    )
    out["责任归属界定"] = (
        ["责任方（投诉）", *share_head],
        [
            [lab, e["count"], pct(e["share"]), pct(e["previous_share"]), pp(e["change_pp"]), _sig(e)]
            for lab, e in ((lab, report["responsibility"][lab]) for lab in RESP_LABELS)
        ],
    )
    kpi_rows = []
    for name, k in [("全部", report["kpis"]["overall"]), *((lab, report["kpis"]["by_cause"][lab]) for lab in CAUSE_LABELS)]:
        kpi_rows.append([name, *(fmt_kpi(k.get(key), spec) for key, _, spec in KPI_COLUMNS)])
    out["服务指标"] = (["范围", *(title for _, title, _ in KPI_COLUMNS)], kpi_rows)
    trend = report["trend"]
    out["趋势"] = (
        ["月份", "会话数", *CAUSE_LABELS],
        [[m, trend["conversations"][i], *(trend["count"][lab][i] for lab in CAUSE_LABELS)] for i, m in enumerate(trend["months"])],
    )
    out["建议汇总"] = (
        ["主题（原因类别）", "条数", "关键词", "原话"],
        [[t["cause"], t["count"], "、".join(t["keywords"]), " ｜ ".join(t["examples"])] for t in report["suggestions"]["themes"]],
    )
    return out


def _kpi_notes(report: dict[str, Any]) -> list[str]:
    notes = []
    overall = report["kpis"]["overall"]
    if overall.get("conversations_per_agent") is not None:
        notes.append(f"人效：{overall['agents']} 位客服，人均 {overall['conversations_per_agent']} 个会话。")
    for key, needs in report["kpis"]["missing"].items():
        notes.append(f"{KPI_NAMES[key]}：数据中没有，无法计算（需要 {needs}）。")
    return notes


# -- Markdown ---------------------------------------------------------------------------


def md_cell(value: Any) -> str:
    """Escape a value for a Markdown table cell."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def md_table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(md_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(report: dict[str, Any]) -> str:
    """Return the report as Markdown."""
    t = tables(report)
    parts = [f"# 问题诊断与原因分析（{report['month']}）", "", "## 一、概览", "", md_table(*t["概览"]), ""]
    parts += ["## 二、问题类型划分", "", md_table(*t["问题类型划分"]), ""]
    parts += ["## 三、具体原因剖析", "", md_table(*t["具体原因剖析"]), ""]
    if report["adjustment"]["available"]:
        parts += [f"校正占比：{report['adjustment']['method']}。", ""]
    for lab in CAUSE_LABELS:
        e = report["cause"][lab]
        if not e["count"]:
            continue
        parts += [f"### {md_cell(lab)}（{e['count']} 个，{pct(e['share'])}）", ""]
        if e["keywords"]:
            parts += ["特征词：" + md_cell("、".join(e["keywords"])), ""]
        parts += [f"> {md_cell(q)}" for q in e["examples"]]
        parts.append("")
    parts += ["### 投诉的原因分布", "", md_table(*t["投诉原因分布"]), ""]
    parts += ["## 四、责任归属界定", "", f"共 {report['complaints']} 个投诉。", "", md_table(*t["责任归属界定"]), ""]
    parts += ["## 五、服务指标", "", md_table(*t["服务指标"]), ""]
    parts += [f"- {md_cell(n)}" for n in _kpi_notes(report)]
    parts += ["", "## 六、趋势（各原因类别会话数）", "", md_table(*t["趋势"]), ""]
    parts += ["## 七、建议汇总", "", f"本月共 {report['suggestions']['count']} 条建议。", ""]
    if t["建议汇总"][1]:
        parts += [md_table(*t["建议汇总"]), ""]
    parts += ["## 八、结论", "", md_cell(report["conclusion"]), ""]
    return "\n".join(parts)


# -- HTML -------------------------------------------------------------------------------

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;
margin:2em auto;max-width:1100px;color:#222;line-height:1.5;padding:0 1em}
h1{font-size:1.6em;border-bottom:2px solid #4e79a7;padding-bottom:.3em}h2{margin-top:1.6em;color:#2c5282}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#eef3f8}td.n{text-align:right}blockquote{margin:.3em 0;padding:.2em .8em;border-left:3px solid #bbb;color:#444}
.charts{display:flex;flex-wrap:wrap;gap:1em}.chart{border:1px solid #e2e2e2;padding:.5em}.note{color:#666;font-size:.9em}
"""


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def html_table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{_esc(v)}</td>' if isinstance(v, (int, float)) else f"<td>{_esc(v)}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def svg_donut(title: str, labels: list[str], values: list[float]) -> str:
    total = sum(values) or 1
    cx, cy, r, w = 110, 110, 80, 36
    parts, start = [], -math.pi / 2
    for i, v in enumerate(values):
        if v <= 0:
            continue
        angle = 2 * math.pi * v / total
        end = start + angle
        if angle >= 2 * math.pi - 1e-9:
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="{PALETTE[i % 8]}" stroke-width="{w}"/>')
        else:
            x1, y1 = cx + r * math.cos(start), cy + r * math.sin(start)
            x2, y2 = cx + r * math.cos(end), cy + r * math.sin(end)
            large = 1 if angle > math.pi else 0
            parts.append(
                f'<path d="M{x1:.1f},{y1:.1f} A{r},{r} 0 {large} 1 {x2:.1f},{y2:.1f}" fill="none" '
                f'stroke="{PALETTE[i % 8]}" stroke-width="{w}"/>'
            )
        start = end
    legend = "".join(
        f'<rect x="240" y="{40 + 24 * i}" width="14" height="14" fill="{PALETTE[i % 8]}"/>'
        f'<text x="260" y="{52 + 24 * i}" font-size="13">{_esc(lab)} {v:.0f}（{v / total * 100:.1f}%）</text>'
        for i, (lab, v) in enumerate(zip(labels, values, strict=True))
    )
    return _svg(title, 420, 240, "".join(parts) + legend)


def _svg(title: str, width: int, height: int, body: str) -> str:
    return (
        f'<div class="chart"><div><b>{_esc(title)}</b></div>'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="{_esc(title)}">'
        f"{body}</svg></div>"
    )


def svg_bars(title: str, labels: list[str], series: list[tuple[str, list[float]]], fmt: str = "{:.0f}") -> str:
    """Horizontal grouped bars: one group per label, one bar per series."""
    vmax = max([max(vals) if vals else 0 for _, vals in series] + [1e-9])
    bar_h, gap, left, width = 12, 10, 80, 300
    group_h = bar_h * len(series) + gap
    height = 30 + group_h * len(labels) + 20
    body = []
    for i, lab in enumerate(labels):
        y0 = 30 + i * group_h
        body.append(f'<text x="{left - 6}" y="{y0 + bar_h * len(series) / 2 + 4:.0f}" font-size="12" text-anchor="end">{_esc(lab)}</text>')
        for j, (_, vals) in enumerate(series):
            v = vals[i]
            w = width * v / vmax if vmax else 0
            y = y0 + j * bar_h
            body.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{PALETTE[j % 8]}"/>')
            body.append(f'<text x="{left + w + 4:.1f}" y="{y + bar_h - 3}" font-size="10">{_esc(fmt.format(v))}</text>')
    legend = "".join(
        f'<rect x="{left + 120 * j}" y="6" width="12" height="12" fill="{PALETTE[j % 8]}"/>'
        f'<text x="{left + 16 + 120 * j}" y="16" font-size="12">{_esc(name)}</text>'
        for j, (name, _) in enumerate(series)
    )
    return _svg(title, left + width + 70, height, legend + "".join(body))


def svg_lines(title: str, xs: list[str], series: list[tuple[str, list[float]]]) -> str:
    width, height, left, top, plot_w, plot_h = 560, 300, 50, 20, 360, 220
    vmax = max([max(v) if v else 0 for _, v in series] + [1])
    n = max(len(xs), 1)

    def px(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def py(v: float) -> float:
        return top + plot_h - plot_h * v / vmax

    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 6}" y="{top + 4}" font-size="10" text-anchor="end">{vmax:.0f}</text>',
    ]
    for i, x in enumerate(xs):
        body.append(f'<text x="{px(i):.1f}" y="{top + plot_h + 16}" font-size="10" text-anchor="middle">{_esc(x)}</text>')
    for j, (name, vals) in enumerate(series):
        pts = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(vals))
        body.append(f'<polyline points="{pts}" fill="none" stroke="{PALETTE[j % 8]}" stroke-width="2"/>')
        body += [f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3" fill="{PALETTE[j % 8]}"/>' for i, v in enumerate(vals)]
        body.append(f'<rect x="{left + plot_w + 20}" y="{top + 18 * j}" width="12" height="12" fill="{PALETTE[j % 8]}"/>')
        body.append(f'<text x="{left + plot_w + 36}" y="{top + 10 + 18 * j}" font-size="12">{_esc(name)}</text>')
    return _svg(title, width, height, "".join(body))


def render_html(report: dict[str, Any]) -> str:
    """Return the report as one self-contained HTML page with SVG charts."""
    t = tables(report)
    month, prev = report["month"], report["previous_month"]
    type_chart = svg_donut("问题类型", list(TYPE_LABELS), [report["type"][lab]["count"] for lab in TYPE_LABELS])
    series = [
        (f"本月 {month}", [report["cause"][lab]["share"] * 100 if report["cause"][lab]["share"] is not None else 0 for lab in CAUSE_LABELS])
    ]
    if prev:
        series.append((f"上月 {prev}", [(report["cause"][lab]["previous_share"] or 0) * 100 for lab in CAUSE_LABELS]))
    cause_chart = svg_bars("原因类别占比（%）", list(CAUSE_LABELS), series, "{:.1f}%")
    resp_series = [(f"本月 {month}", [report["responsibility"][lab]["count"] for lab in RESP_LABELS])]
    if prev:
        resp_series.append((f"上月 {prev}", [report["responsibility"][lab]["previous_count"] or 0 for lab in RESP_LABELS]))
    resp_chart = svg_bars("投诉责任归属（会话数）", list(RESP_LABELS), resp_series)
    trend = report["trend"]
    trend_chart = svg_lines("各原因类别月度趋势（会话数）", trend["months"], [(lab, trend["count"][lab]) for lab in CAUSE_LABELS])
    hist = report["response_time_hist"]
    hist_chart = svg_bars("首次响应时长分布（会话数）", hist["bins"], [("会话数", hist["counts"])])

    body = [f"<h1>问题诊断与原因分析（{_esc(month)}）</h1>", "<h2>一、概览</h2>", html_table(*t["概览"])]
    body += ["<h2>二、问题类型划分</h2>", f'<div class="charts">{type_chart}</div>', html_table(*t["问题类型划分"])]
    body += ["<h2>三、具体原因剖析</h2>", f'<div class="charts">{cause_chart}</div>', html_table(*t["具体原因剖析"])]
    if report["adjustment"]["available"]:
        body.append(f'<p class="note">校正占比：{_esc(report["adjustment"]["method"])}。</p>')
    for lab in CAUSE_LABELS:
        e = report["cause"][lab]
        if not e["count"]:
            continue
        body.append(f"<h3>{_esc(lab)}（{e['count']} 个，{pct(e['share'])}）</h3>")
        if e["keywords"]:
            body.append(f"<p>特征词：{_esc('、'.join(e['keywords']))}</p>")
        body += [f"<blockquote>{_esc(q)}</blockquote>" for q in e["examples"]]
    body += ["<h3>投诉的原因分布</h3>", html_table(*t["投诉原因分布"])]
    body += [
        "<h2>四、责任归属界定</h2>",
        f"<p>共 {report['complaints']} 个投诉。</p>",
        f'<div class="charts">{resp_chart}</div>',
        html_table(*t["责任归属界定"]),
    ]
    body += ["<h2>五、服务指标</h2>", f'<div class="charts">{hist_chart}</div>', html_table(*t["服务指标"])]
    body += ["<ul>" + "".join(f"<li>{_esc(n)}</li>" for n in _kpi_notes(report)) + "</ul>"]
    body += ["<h2>六、趋势</h2>", f'<div class="charts">{trend_chart}</div>', html_table(*t["趋势"])]
    body += ["<h2>七、建议汇总</h2>", f"<p>本月共 {report['suggestions']['count']} 条建议。</p>"]
    if t["建议汇总"][1]:
        body.append(html_table(*t["建议汇总"]))
    body += ["<h2>八、结论</h2>", f"<p>{_esc(report['conclusion'])}</p>"]
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        f"<title>问题诊断与原因分析 {_esc(month)}</title><style>{CSS}</style></head><body>" + "\n".join(body) + "</body></html>\n"
    )


# -- Excel ------------------------------------------------------------------------------


def write_xlsx(report: dict[str, Any], path: Path) -> None:
    """Write one sheet per table with numbers as numbers, and Excel charts."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    bold = book.add_format({"bold": True, "bg_color": "#EEF3F8", "border": 1})
    pct_fmt = book.add_format({"num_format": "0.0%"})
    num = book.add_format({"num_format": "0.0"})

    def sheet(name: str, header: list[str], rows: list[list[Any]], formats: dict[int, Any] | None = None) -> Any:
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, header, bold)
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(i, j, v, (formats or {}).get(j))
                else:
                    ws.write_string(i, j, str(neutralize_cell(str(v))))
        ws.set_column(0, len(header) - 1, 14)
        return ws

    t = tables(report)
    sheet("概览", *t["概览"])
    conclusion = book.get_worksheet_by_name("概览")
    conclusion.write_string(len(t["概览"][1]) + 2, 0, "结论", bold)
    conclusion.write_string(len(t["概览"][1]) + 2, 1, str(neutralize_cell(report["conclusion"])))

    def share_rows(block: dict[str, Any], labels: tuple[str, ...]) -> list[list[Any]]:
        return [
            [
                lab,
                block[lab]["count"],
                block[lab]["share"],
                block[lab]["previous_share"],
                block[lab]["change_pp"],
                block[lab].get("p_value"),
            ]
            for lab in labels
        ]

    share_header = ["标签", "会话数", "占比", "上月占比", "变化(百分点)", "p值"]
    share_formats = {2: pct_fmt, 3: pct_fmt, 4: num}
    ws = sheet("问题类型", share_header, share_rows(report["type"], TYPE_LABELS), share_formats)
    chart = book.add_chart({"type": "doughnut"})
    chart.add_series({"name": "问题类型", "categories": ["问题类型", 1, 0, 3, 0], "values": ["问题类型", 1, 1, 3, 1]})
    chart.set_title({"name": "问题类型"})
    ws.insert_chart("H2", chart)

    rows = share_rows(report["cause"], CAUSE_LABELS)
    for row, lab in zip(rows, CAUSE_LABELS, strict=True):
        e = report["cause"][lab]
        ci = e.get("ci95") or [None, None]
        row += [e.get("adjusted_share"), ci[0], ci[1], "、".join(e["keywords"]), " ｜ ".join(e["examples"])]
    ws = sheet(
        "原因类别",
        [*share_header, "校正占比", "95%下限", "95%上限", "特征词", "原话"],
        rows,
        {**share_formats, 6: pct_fmt, 7: pct_fmt, 8: pct_fmt},
    )
    chart = book.add_chart({"type": "column"})
    chart.add_series({"name": "本月", "categories": ["原因类别", 1, 0, 8, 0], "values": ["原因类别", 1, 2, 8, 2]})
    if report["previous_month"]:
        chart.add_series({"name": "上月", "categories": ["原因类别", 1, 0, 8, 0], "values": ["原因类别", 1, 3, 8, 3]})
    chart.set_title({"name": "原因类别占比"})
    chart.set_y_axis({"num_format": "0%"})
    ws.insert_chart("A12", chart)

    sheet("投诉原因", share_header, share_rows(report["complaint_cause"], CAUSE_LABELS), share_formats)
    ws = sheet("责任归属", share_header, share_rows(report["responsibility"], RESP_LABELS), share_formats)
    chart = book.add_chart({"type": "bar"})
    chart.add_series({"name": "投诉责任归属", "categories": ["责任归属", 1, 0, 3, 0], "values": ["责任归属", 1, 1, 3, 1]})
    chart.set_title({"name": "投诉责任归属"})
    ws.insert_chart("H2", chart)

    kpi_rows = []
    for name, k in [("全部", report["kpis"]["overall"]), *((lab, report["kpis"]["by_cause"][lab]) for lab in CAUSE_LABELS)]:
        kpi_rows.append([name, *(k.get(key) for key, _, _ in KPI_COLUMNS)])
    ws = sheet(
        "服务指标",
        ["范围", *(title for _, title, _ in KPI_COLUMNS)],
        kpi_rows,
        {2: num, 3: num, 4: num, 5: num, 7: pct_fmt, 8: pct_fmt, 9: pct_fmt},
    )
    for i, note in enumerate(_kpi_notes(report), start=len(kpi_rows) + 2):
        ws.write_string(i, 0, note)

    trend = report["trend"]
    ws = sheet("趋势", *t["趋势"])
    if trend["months"]:
        chart = book.add_chart({"type": "line"})
        for j, lab in enumerate(CAUSE_LABELS, start=2):
            chart.add_series(
                {"name": lab, "categories": ["趋势", 1, 0, len(trend["months"]), 0], "values": ["趋势", 1, j, len(trend["months"]), j]}
            )
        chart.set_title({"name": "各原因类别月度趋势"})
        ws.insert_chart(f"A{len(trend['months']) + 4}", chart)
    sheet("建议汇总", *t["建议汇总"])
    book.close()


def write_report(report: dict[str, Any], output: Path, fmt: str) -> None:
    """Write ``report`` to ``output`` in ``fmt`` atomically."""
    with atomic_path(output) as tmp:
        if fmt == "xlsx":
            write_xlsx(report, tmp)
            return
        if fmt == "json":
            text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        elif fmt == "html":
            text = render_html(report)
        else:
            text = render_markdown(report)
        tmp.write_text(text, encoding="utf-8")
