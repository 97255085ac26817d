"""Celery, made from the Flask app (the Flask documentation's pattern).

Every task runs inside the app context, so services and the database session
work as in a request; the task commits once, and the session is removed after.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery import Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            from suggestion.extensions import db

            with app.app_context():
                try:
                    return self.run(*args, **kwargs)
                finally:
                    db.session.remove()

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
