"""Who we are on the wire: the project's version, home page and the crawler's user agent."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/kdir-project/kdir"
USER_AGENT = f"kdir/{__version__} (+{PROJECT_URL})"
