"""Placeholder handler of the audio-pipeline services.

The real application code is built and shipped separately; the stack only
needs a valid deployment package. Both services share this module.
"""

import json
import logging
import os

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))


def handler(event, context):
    logger.debug("event received: %s", json.dumps(event, default=str))
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
