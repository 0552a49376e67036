"""Patient-facing pages: search, provider pages, the guide and the report form."""
