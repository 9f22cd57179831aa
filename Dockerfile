# The bot in a container: small (python slim), not root, its data on a volume (/data).
#   docker build -t migrant-bot .
#   docker run -d --name migrant-bot --env-file .env -v migrant-bot-data:/data migrant-bot
# compose.yaml runs it (and, with --profile scaled, PostgreSQL, Redis, two instances and a proxy).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/bot.sqlite3 \
    HEALTH_LISTEN=0.0.0.0:9090

RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /app --shell /usr/sbin/nologin bot \
    && mkdir /data \
    && chown bot:bot /data \
    && chmod 0700 /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
COPY locales ./locales
COPY samples ./samples
COPY deploy/entrypoint.sh /usr/local/bin/entrypoint.sh
# editable: the content, catalogs and samples stay where the code finds them (/app)
RUN pip install -e . && chmod 0755 /usr/local/bin/entrypoint.sh

USER 10001:10001
VOLUME ["/data"]
EXPOSE 9090
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:9090/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
CMD ["run"]
