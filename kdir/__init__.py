"""kdir: an open directory of qualified ketamine-therapy providers.

The data flows crawl -> index -> serve: ``crawler`` gathers observations, ``indexer`` turns them into verified,
searchable providers, ``web`` serves them. This package holds what ties them together: configuration, the
``kdir`` command line and the bundled sample web used by the demo and the tests.
"""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/kdir-project/kdir"
USER_AGENT = f"kdir/{__version__} (+{PROJECT_URL})"
