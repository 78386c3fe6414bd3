"""An application backend for the REST API tests, written against Tencent's
own Python client (PyPI tencentcloud-sdk-python-im, which scripts/test
installs): each argument after the connection settings is a call on the
client `c`, and each call's answer is printed as one line of JSON.

    python3 backend.py BASE_URL SDKAPPID KEY ADMIN 'c.search_user(["alice"])' ...

`raw(command, body)` posts a body of its own with the client's
authentication, for the calls the client lacks (profiles, blocklist).
"""

import json
import sys

import requests
from tencentcloud_im.tcim_client import (  # noqa: F401 (used by the calls)
    BatchMessageObj,
    GroupMemObj,
    GroupMessageObj,
    GroupObj,
    MessageFile,
    MessageObj,
    MessageText,
    TCIMClient,
)

base, app_id, key, admin = sys.argv[1:5]
c = TCIMClient(int(app_id), key, admin, tencent_url=base)


def raw(command, body):
    return requests.post(f"{base}/{command}", params=c._gen_query(), data=json.dumps(body))


for call in sys.argv[5:]:
    answer = eval(call)
    if answer is None:
        # The client refused the call itself (it logs why).
        print(json.dumps({"client_refused": call}))
    else:
        print(json.dumps(answer.json()))
    sys.stdout.flush()
