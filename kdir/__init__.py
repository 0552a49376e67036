"""kdir: an open directory of qualified ketamine-therapy providers.

The data flows crawl -> index -> serve: ``crawler`` gathers observations, ``indexer`` turns them into verified,
searchable providers, ``web`` serves them. This package holds the two ends: ``kdir.common``, the bottom layer
every package shares (configuration, vocabularies, the provider record and its normaliser), and the top layer
that ties the rest together (the ``kdir`` command line, the scheduler, the bundled sample web).
"""
