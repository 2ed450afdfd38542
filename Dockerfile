# One image for the five services: `supportflow worker <service>` picks which one runs.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY supportflow ./supportflow
COPY services ./services
COPY domains ./domains
COPY schemas ./schemas
COPY examples ./examples
RUN pip install --no-cache-dir -e .
ENV SUPPORTFLOW_WEB_HOST=0.0.0.0
ENTRYPOINT ["supportflow"]
