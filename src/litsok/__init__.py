"""litsok: search your course literature by meaning, get the passage and the exact citation."""

__version__ = "0.1.0"
