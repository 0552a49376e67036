"""The bottom layer: what every other package shares, importing nothing of ours.

Configuration (``config``), the controlled vocabularies and their labels (``vocabulary``), the provider record
(``record``) and its one normaliser (``normalise``), and the value helpers it is built from: NPI check digit
(``npi``), US states (``us_states``), ZIP and city tables (``geo``), addresses, phones, e-mail and names.
Layers above: indexer -> crawler | web -> CLI and scheduler (import-linter contracts in pyproject.toml).
"""
