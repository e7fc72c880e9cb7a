# The portal's one image: web (gunicorn), Celery worker and beat run it with
# different commands (docker-compose.yml). Configuration is environment only.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files belong to the image (WhiteNoise serves them from every web
# container). The key below only lets the settings load for this build step.
RUN DEBUG=0 SECRET_KEY=collectstatic-build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput -v 0 \
 && useradd --system --uid 10001 --no-create-home --home-dir /app tmspros

# Nothing is written in the image at run time: documents go to the object
# storage, sessions and the cache to PostgreSQL, tasks to Redis.
USER tmspros
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/sante/', timeout=2).status != 200)"
# gunicorn's worker count: WEB_CONCURRENCY (about two to three per core).
ENV WEB_CONCURRENCY=4
CMD ["gunicorn", "tmspros.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--timeout", "30", "--graceful-timeout", "20", "--access-logfile", "-"]
