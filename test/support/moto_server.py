"""moto's server for upshift's tests, with one fix to its SigV4 check (see test/support/s3.ts).

moto 5.2 rebuilds the canonical request of an S3 call from werkzeug's `request.full_path`, whose query
string is already percent-decoded, so a '/' in a query value (every listing under a prefix: prefix=a%2Fb,
delimiter=%2F) is signed by the client as %2F and checked by moto as '/': SignatureDoesNotMatch for correct
credentials. Here the S3 signature check gets the request URI exactly as it was sent (werkzeug's RAW_URI).
Signatures are still verified: wrong keys and secrets are still refused.
"""
import sys

from moto.iam import access_control


_original_init = access_control.S3IAMRequest.__init__


def _init_with_raw_uri(self, *args, **kwargs):
    try:
        from flask import request

        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
        if raw:
            kwargs["path"] = raw
    except RuntimeError:
        pass  # outside a request context: keep what moto passed
    _original_init(self, *args, **kwargs)


access_control.S3IAMRequest.__init__ = _init_with_raw_uri

from moto.server import main  # noqa: E402

if __name__ == "__main__":
    main(sys.argv[1:])
