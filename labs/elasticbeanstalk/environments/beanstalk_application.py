"""The application in the lab's source bundle, zipped as ``application.py``: what Elastic Beanstalk's Python platform
runs (a WSGI callable named ``application``)."""


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello from Elastic Beanstalk\n"]
