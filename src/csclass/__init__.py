"""csclass: label Chinese e-commerce customer-service chats and diagnose root causes.

Importing the package is cheap: heavy modules (pandas, scikit-learn, jieba) are
imported by the submodules that need them.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
