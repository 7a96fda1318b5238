"""moto's server, with SQS queue attributes serialised as compact JSON like real AWS.

moto 5.2.5 returns RedrivePolicy/Policy from GetQueueAttributes with ", " / ": " separators; AWS
returns compact JSON. The AWS provider keeps the raw string and would plan a whitespace-only update
of every queue with a redrive policy forever, so a second plan could never show 0 changes.
Usage: python -m envgate.motoserver -H 127.0.0.1 -p PORT
"""

import json
import types

import moto.sqs.models as sqs_models
from moto.server import main

_compact_json = types.SimpleNamespace(**{k: getattr(json, k) for k in dir(json) if not k.startswith("__")})
_compact_json.dumps = lambda obj, **kw: json.dumps(obj, **{"separators": (",", ":"), **kw})
sqs_models.json = _compact_json

if __name__ == "__main__":
    main()
