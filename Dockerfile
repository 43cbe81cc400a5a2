# Parley: the Telegram bot (and, in webhook mode, its HTTP endpoint).
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/parley.db \
    METRICS_PORT=9464 \
    METRICS_HOST=0.0.0.0

WORKDIR /app
# The runtime only (no test tools), every package checked against its hash in the list.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY bot ./bot
COPY storage ./storage
COPY dialogues ./dialogues

RUN useradd --create-home --uid 10001 parley \
    && mkdir -p /data \
    && chown parley:parley /data
USER parley
VOLUME ["/data"]
EXPOSE 9464

# Alive (its /healthz on METRICS_PORT: the poller and the sender are going round) and able to
# use its database (reachable, migrations current). Prometheus scrapes the same port.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

CMD ["python", "-m", "bot", "run"]
