/**
 * Nimbus's Python runtime client, kept as source text so it ships inside the compiled
 * JavaScript (dist or an npm install) with nothing else to locate: launch.ts writes it once
 * into the pool's work dir and runs it with `python3 -u`.
 *
 * It behaves like Lambda's Python runtime (awslambdaric): `package/module.function` handlers
 * imported from LAMBDA_TASK_ROOT, the context object (function_name, aws_request_id,
 * get_remaining_time_in_millis(), ...), errors as {"errorMessage","errorType","requestId",
 * "stackTrace"}, init failures (Runtime.ImportModuleError, Runtime.UserCodeSyntaxError,
 * Runtime.HandlerNotFound, Runtime.MalformedHandlerName) posted to /init/error. print() output
 * is logged line by line; the `logging` module's root logger writes Lambda's
 * `[LEVEL]\t<time>\t<request id>\t<message>` lines, multi-line messages as one event.
 * Standard library only; Python 3.8+.
 */
export const PYTHON_BOOTSTRAP = String.raw`# Nimbus Python runtime client (generated from src/runtime/bootstrap/python.ts)
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback
import socket

# *.localhost is loopback (RFC 6761), as browsers resolve it and glibc does not: a WebSocket
# API's requestContext.domainName ({apiId}.execute-api.localhost) then reaches Nimbus.
_getaddrinfo = socket.getaddrinfo
def _nimbus_getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and (host == 'localhost' or host.rstrip('.').endswith('.localhost')):
        host = '127.0.0.1'
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = _nimbus_getaddrinfo
from types import SimpleNamespace

HOST, _, PORT = os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001").rpartition(":")
BASE = "/2018-06-01/runtime"
_conn = None
_request_id = ""


def call(method, path, body=None, headers=None):
    global _conn
    for attempt in (0, 1):
        if _conn is None:
            _conn = http.client.HTTPConnection(HOST, int(PORT))
        try:
            _conn.request(method, BASE + path, body=body, headers=headers or {})
            res = _conn.getresponse()
            return res.status, res.headers, res.read()
        except (http.client.HTTPException, OSError):
            _conn.close()
            _conn = None
            if attempt:
                raise


class LambdaLogHandler(logging.Handler):
    def emit(self, record):
        try:
            msg = self.format(record).replace("\n", "\r")
            sys.stdout.write(msg + "\n")
            sys.stdout.flush()
        except Exception:
            self.handleError(record)


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id
        return True


def setup_logging():
    handler = LambdaLogHandler()
    fmt = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S")
    fmt.converter = time.gmtime
    handler.setFormatter(fmt)
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def error_doc(error_type, message, tb=None):
    stack = traceback.format_list(traceback.extract_tb(tb)) if tb is not None else []
    return {"errorMessage": message, "errorType": error_type, "requestId": _request_id, "stackTrace": stack}


def log_error(doc):
    lines = ["[ERROR] %s: %s" % (doc["errorType"], doc["errorMessage"])]
    if doc["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        lines.extend(s.rstrip("\n") for s in doc["stackTrace"])
    sys.stdout.write("\r".join(lines).replace("\n", "\r") + "\n")
    sys.stdout.flush()


def post_error(path, doc):
    body = json.dumps(doc).encode()
    call("POST", path, body, {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": doc["errorType"]})


class InitError(Exception):
    def __init__(self, error_type, message, tb=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.tb = tb


def load_handler(root, handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise InitError("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    parts = modname.split("/")
    if not modname or modname.startswith("/") or any(p in ("", ".", "..") for p in parts) or not fname:
        raise InitError("Runtime.MalformedHandlerName", "Bad handler '%s'" % handler)
    dotted = ".".join(parts)
    try:
        module = importlib.import_module(dotted)
    except ImportError as e:
        raise InitError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        raise InitError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e))
    except Exception as e:
        raise InitError(type(e).__name__, str(e), e.__traceback__)
    fn = getattr(module, fname, None)
    if fn is None:
        raise InitError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))
    return fn


def make_context(headers):
    deadline = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
    ci = headers.get("Lambda-Runtime-Cognito-Identity")
    cc = headers.get("Lambda-Runtime-Client-Context")
    identity = None
    if ci:
        d = json.loads(ci)
        identity = SimpleNamespace(cognito_identity_id=d.get("cognitoIdentityId"), cognito_identity_pool_id=d.get("cognitoIdentityPoolId"))
    client_context = None
    if cc:
        d = json.loads(cc)
        client_context = SimpleNamespace(client=d.get("client"), custom=d.get("custom"), env=d.get("env"))
    ctx = SimpleNamespace(
        function_name=os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        function_version=os.environ.get("AWS_LAMBDA_FUNCTION_VERSION"),
        invoked_function_arn=headers.get("Lambda-Runtime-Invoked-Function-Arn"),
        memory_limit_in_mb=int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") or 0),
        aws_request_id=_request_id,
        log_group_name=os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME"),
        log_stream_name=os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME"),
        identity=identity,
        client_context=client_context,
    )
    ctx.get_remaining_time_in_millis = lambda: max(0, deadline - int(time.time() * 1000))
    ctx.log = lambda msg: (sys.stdout.write(str(msg)), sys.stdout.flush())
    return ctx


def main():
    global _request_id
    root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    sys.path[0:1] = [root]
    setup_logging()
    try:
        fn = load_handler(root, os.environ.get("_HANDLER", ""))
    except InitError as e:
        doc = error_doc(e.error_type, e.message, e.tb)
        log_error(doc)
        post_error("/init/error", doc)
        sys.exit(1)
    while True:
        status, headers, body = call("GET", "/invocation/next")
        if status != 200:
            raise RuntimeError("runtime API answered /next with %d" % status)
        _request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        trace = headers.get("Lambda-Runtime-Trace-Id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        path = "/invocation/%s" % _request_id
        try:
            try:
                event = json.loads(body) if body else {}
            except ValueError as e:
                raise InitError("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
            result = fn(event, make_context(headers))
        except InitError as e:
            doc = error_doc(e.error_type, e.message)
        except Exception as e:
            doc = error_doc(type(e).__name__, str(e), e.__traceback__)
        else:
            try:
                payload = json.dumps(result).encode()
            except (TypeError, ValueError) as e:
                doc = error_doc("Runtime.MarshalError", "Unable to marshal response: %s" % e)
            else:
                sys.stdout.flush()
                sys.stderr.flush()
                call("POST", path + "/response", payload, {"Content-Type": "application/json"})
                continue
        log_error(doc)
        sys.stderr.flush()
        post_error(path + "/error", doc)


if __name__ == "__main__":
    try:
        main()
    except (OSError, http.client.HTTPException) as e:
        sys.stderr.write("nimbus runtime: %s\n" % e)
        sys.exit(1)
`;
