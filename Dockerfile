FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/policy-ledger

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY seeds ./seeds
# Editable, so the package finds migrations/ and seeds/ beside it.
RUN pip install --disable-pip-version-check -e . \
    && useradd --system --home-dir /srv/policy-ledger ledger \
    && mkdir -p data && chown ledger data

USER ledger
ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"
CMD ["policy-ledger", "serve"]
