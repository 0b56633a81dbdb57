#!/usr/bin/env python3
"""Interop check of a running essayd with a gRPC client we did not write.

Usage: client.py ADDRESS          e.g. client.py 127.0.0.1:50051

Setup (Python 3.11):
    python3 -m venv /tmp/essayd-interop-venv
    /tmp/essayd-interop-venv/bin/pip install -r tests/interop/requirements.txt
    /tmp/essayd-interop-venv/bin/python tests/interop/client.py 127.0.0.1:50051

Uses only grpcio, grpcio-health-checking, grpcio-reflection and protobuf
(see requirements.txt): no generated essay.v1 stubs and no grpcio-tools. The
essay.v1 message classes are built at run time from the descriptors that the
server's reflection service (v1alpha) returns, so this also checks that
reflection serves a complete, self-consistent set of files.

Prints one line per check. On the first failure it prints what went wrong and
exits 1; on success the last line is "N passed, 0 failed". Exit 2 is a usage
error.
"""

import argparse
import hashlib
import sys

import grpc
from google.protobuf.descriptor_pool import DescriptorPool
from google.protobuf.message_factory import GetMessageClass
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

ESSAY_SERVICE = "essay.v1.EssayService"
EXPECTED_SERVICES = (
    ESSAY_SERVICE,
    "essay.v1.AssignmentService",
    "grpc.health.v1.Health",
)
ESSAY_METHODS = (
    "CreateEssay",
    "BatchCreateEssays",
    "GetEssay",
    "ListEssays",
    "DeleteEssay",
)
# Well-formed (a UUIDv7) but never stored.
UNKNOWN_ID = "01936d1c-7c5e-7b3a-9f1e-2a4b6c8d0e1f"
MALFORMED_ID = "not-an-essay-id"

TITLE = "Über die Freiheit — «ein Essay» 🎓"
AUTHOR_ID = "interop-student-1"
AUTHOR_NAME = "Zoë Ångström-Łukasiewicz"
TEXT = (
    "Freedom is not a gift but a practice. Ζωή, λευτεριά: the Greek poets "
    "knew it. 自由は実践である。\n\n"
    "A naïve café owner in Kraków once said: «Każdy dzień to wybór.» "
    "Emoji travel too 🎓📚, as do combining marks like e\u0301 and "
    "scripts such as русский текст and עברית."
)


class CheckFailed(Exception):
    pass


class Checks:
    def __init__(self):
        self.passed = 0

    def ok(self, what):
        self.passed += 1
        print(f"ok   {what}", flush=True)

    def fail(self, what):
        print(f"FAIL {what}", flush=True)
        print(f"{self.passed} passed, 1 failed", flush=True)
        sys.exit(1)


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def rpc_error_text(err):
    return f"{err.code().name}: {err.details()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("address", help="host:port of a running essayd")
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="seconds to wait for the connection and for each call (default 10)",
    )
    args = parser.parse_args()
    timeout = args.timeout
    checks = Checks()

    channel = grpc.insecure_channel(args.address)
    try:
        grpc.channel_ready_future(channel).result(timeout=timeout)
    except grpc.FutureTimeoutError:
        checks.fail(f"connect: no connection to {args.address} within {timeout}s")
    checks.ok(f"connect: channel to {args.address} is ready")

    try:
        run_checks(channel, checks, timeout)
    except CheckFailed as e:
        checks.fail(str(e))
    except grpc.RpcError as e:
        checks.fail(f"unexpected RPC error: {rpc_error_text(e)}")
    finally:
        channel.close()

    print(f"{checks.passed} passed, 0 failed", flush=True)
    return 0


def run_checks(channel, checks, timeout):
    # (1) Health.
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", ESSAY_SERVICE):
        try:
            resp = health.Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout
            )
        except grpc.RpcError as e:
            raise CheckFailed(f"health {service!r}: {rpc_error_text(e)}")
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status)
        expect(
            resp.status == health_pb2.HealthCheckResponse.SERVING,
            f"health {service!r}: status is {status}, want SERVING",
        )
        checks.ok(f"health {service!r}: SERVING")

    # (2) Reflection: list the services, then build essay.v1's classes from
    # the descriptors the server sends (imports such as
    # google/protobuf/timestamp.proto are fetched from the server too).
    db = ProtoReflectionDescriptorDatabase(channel)
    try:
        services = sorted(db.get_services())
    except grpc.RpcError as e:
        raise CheckFailed(f"reflection list services: {rpc_error_text(e)}")
    missing = [s for s in EXPECTED_SERVICES if s not in services]
    expect(
        not missing,
        f"reflection list services: missing {missing}; the server lists {services}",
    )
    checks.ok(f"reflection lists {len(services)} services: {', '.join(services)}")

    # grpcurl and most newer tools ask grpc.reflection.v1 first. Its messages
    # are the same on the wire as v1alpha's, so the v1alpha classes serve.
    reflection_v1 = channel.stream_stream(
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    try:
        replies = list(
            reflection_v1(
                iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                timeout=timeout,
            )
        )
    except grpc.RpcError as e:
        raise CheckFailed(f"reflection v1 list services: {rpc_error_text(e)}")
    expect(len(replies) == 1, f"reflection v1: {len(replies)} replies, want 1")
    v1_services = [s.name for s in replies[0].list_services_response.service]
    missing = [s for s in EXPECTED_SERVICES if s not in v1_services]
    expect(not missing, f"reflection v1 list services: missing {missing}")
    checks.ok("reflection v1 lists the essay.v1 and health services too")

    pool = DescriptorPool(db)
    try:
        service_desc = pool.FindServiceByName(ESSAY_SERVICE)
    except (KeyError, TypeError, grpc.RpcError) as e:
        raise CheckFailed(f"reflection: cannot resolve {ESSAY_SERVICE}: {e!r}")
    methods = {m.name: m for m in service_desc.methods}
    absent = [m for m in ESSAY_METHODS if m not in methods]
    expect(not absent, f"reflection: {ESSAY_SERVICE} lacks methods {absent}")
    classes = {}
    for name in ESSAY_METHODS:
        m = methods[name]
        expect(
            not m.client_streaming and not m.server_streaming,
            f"reflection: {ESSAY_SERVICE}/{name} is streaming, want unary",
        )
        classes[name] = (GetMessageClass(m.input_type), GetMessageClass(m.output_type))
    checks.ok(
        f"reflection builds request/response classes of {ESSAY_SERVICE}: "
        + ", ".join(ESSAY_METHODS)
    )

    def unary(name):
        req_cls, resp_cls = classes[name]
        return channel.unary_unary(
            f"/{ESSAY_SERVICE}/{name}",
            request_serializer=req_cls.SerializeToString,
            response_deserializer=resp_cls.FromString,
        )

    create_essay = unary("CreateEssay")
    get_essay = unary("GetEssay")
    CreateEssayRequest = classes["CreateEssay"][0]
    GetEssayRequest = classes["GetEssay"][0]

    # (3) CreateEssay, then GetEssay by the returned id.
    req = CreateEssayRequest()
    req.essay.title = TITLE
    req.essay.author.id = AUTHOR_ID
    req.essay.author.display_name = AUTHOR_NAME
    req.essay.course_id = "interop-course"
    req.essay.text = TEXT
    try:
        created = create_essay(req, timeout=timeout)
    except grpc.RpcError as e:
        raise CheckFailed(f"CreateEssay: {rpc_error_text(e)}")
    essay_id = created.essay.id
    expect(essay_id, "CreateEssay: the response's essay has no id")
    checks.ok(f"CreateEssay: stored id={essay_id}")

    try:
        got = get_essay(GetEssayRequest(id=essay_id), timeout=timeout)
    except grpc.RpcError as e:
        raise CheckFailed(f"GetEssay {essay_id}: {rpc_error_text(e)}")
    essay = got.essay
    expect(essay.id == essay_id, f"GetEssay: id is {essay.id!r}, want {essay_id!r}")
    expect(essay.text == TEXT, f"GetEssay: text differs: got {essay.text!r}")
    expect(essay.title == TITLE, f"GetEssay: title is {essay.title!r}, want {TITLE!r}")
    expect(
        essay.author.display_name == AUTHOR_NAME,
        f"GetEssay: author.display_name is {essay.author.display_name!r}, "
        f"want {AUTHOR_NAME!r}",
    )
    checks.ok("GetEssay: text, title and author round-trip (non-ASCII UTF-8)")

    metrics = essay.metrics
    expect(metrics.words > 0, f"GetEssay: metrics.words is {metrics.words}, want > 0")
    # TextMetrics.characters counts Unicode scalar values, as len() does.
    expect(
        metrics.characters == len(TEXT),
        f"GetEssay: metrics.characters is {metrics.characters}, want {len(TEXT)}",
    )
    want_sha = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    expect(
        metrics.content_sha256 == want_sha,
        f"GetEssay: metrics.content_sha256 is {metrics.content_sha256!r}, "
        f"want {want_sha!r}",
    )
    checks.ok(
        f"GetEssay: metrics words={metrics.words} characters={metrics.characters} "
        "content_sha256 match"
    )

    # (4) Error codes.
    for bad_id, want in (
        (MALFORMED_ID, grpc.StatusCode.INVALID_ARGUMENT),
        (UNKNOWN_ID, grpc.StatusCode.NOT_FOUND),
    ):
        try:
            get_essay(GetEssayRequest(id=bad_id), timeout=timeout)
        except grpc.RpcError as e:
            expect(
                e.code() == want,
                f"GetEssay {bad_id!r}: got {rpc_error_text(e)}, want {want.name}",
            )
            checks.ok(f"GetEssay {bad_id!r}: {want.name}")
        else:
            raise CheckFailed(f"GetEssay {bad_id!r}: succeeded, want {want.name}")


if __name__ == "__main__":
    sys.exit(main())
