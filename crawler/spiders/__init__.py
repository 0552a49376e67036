"""Spiders, one module per source: clinic_site, directory, nppes, osm (helpers in the _-prefixed modules)."""
