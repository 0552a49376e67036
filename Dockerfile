# One image for every service in docker-compose.yml (web, scheduler, migrate).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    KDIR_VAR_DIR=/var/lib/kdir \
    KDIR_BROWSER_PATH=/usr/bin/chromium

# Debian's chromium reads single-page-app clinic websites (scrapy-playwright drives it; nothing is downloaded).
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 kdir \
    && mkdir -p /var/lib/kdir && chown kdir:kdir /var/lib/kdir

WORKDIR /app
COPY pyproject.toml README.md LICENSE scrapy.cfg ./
COPY kdir ./kdir
COPY crawler ./crawler
COPY indexer ./indexer
COPY web ./web
RUN pip install .

USER kdir
EXPOSE 8000
CMD ["kdir", "serve", "--production", "--host", "0.0.0.0", "--port", "8000"]
