"""The builders work from plain data: they load no Flask, and a hand-written description is enough."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import kubernetes_validate
import yaml
from deploy_helpers import KUBERNETES_VERSION, knative_webhook_problems, record_rule_problems, schema_errors

from elg_decorators.deploy.description import Endpoint, RecordDetails, ServiceDescription
from elg_decorators.deploy.files import render_files
from elg_decorators.kinds import REQUEST_KINDS, RESPONSE_KINDS
from elg_decorators.settings import ServerSettings


def test_importing_deploy_loads_no_flask() -> None:
    code = textwrap.dedent("""
        import importlib, pkgutil, sys
        import elg_decorators.deploy
        for module in pkgutil.iter_modules(elg_decorators.deploy.__path__, "elg_decorators.deploy."):
            importlib.import_module(module.name)
        loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("flask", "werkzeug", "gunicorn"))
        service_layers = sorted(name for name in sys.modules if name.startswith(("elg_decorators.service",
                                "elg_decorators.registry", "elg_decorators.discovery", "elg_decorators.server")))
        print(loaded, service_layers)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "[] []\n", "")


def _description(**changes: object) -> ServiceDescription:
    values = dict(
        name="speech-to-text",
        image="ghcr.io/example/asr:3.1",
        image_repository="ghcr.io/example/asr",
        version="3.1",
        endpoints=(
            Endpoint("/asr/<lang>", "/asr/fi", (REQUEST_KINDS["audio"],), (RESPONSE_KINDS["texts"],)),
            Endpoint("/diarize", "/diarize", (REQUEST_KINDS["audio"], REQUEST_KINDS["text"]),
                     (RESPONSE_KINDS["annotations"],)),
        ),
        record=RecordDetails(title="Speech to text", description="Transcribes Finnish speech.",
                             lt_class="SpeechRecognition", licence="MIT", conditions_of_use=("attribution", "other")),
        settings=ServerSettings(port=8080, workers=3, threads=2, request_timeout=120, graceful_timeout=50),
        memory="6Gi",
        cpu="3",
        min_scale=2,
        max_scale=6,
        startup_seconds=900,
        languages=("fi",),
    )
    values.update(changes)
    return ServiceDescription(**values)  # type: ignore[arg-type]


def test_files_from_a_hand_written_description(
    knative_strict_schema: dict, elg_share_schema: object,
) -> None:
    files = render_files(_description())
    service = yaml.safe_load(files["knative-service.yaml"])
    assert schema_errors(service, knative_strict_schema) == []
    assert knative_webhook_problems(service) == []
    spec = service["spec"]["template"]["spec"]
    assert (spec["containerConcurrency"], spec["timeoutSeconds"]) == (6, 125)
    assert spec["containers"][0]["ports"] == [{"name": "http1", "containerPort": 8080}]
    objects = list(yaml.safe_load_all(files["kubernetes.yaml"]))
    for obj in objects:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    pod = objects[0]["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] == 5 + 50 + 10
    assert pod["containers"][0]["startupProbe"]["failureThreshold"] == 180
    assert objects[0]["spec"]["progressDeadlineSeconds"] == 1200
    assert list(elg_share_schema.iter_errors(files["elg-metadata.xml"].decode())) == []  # type: ignore[attr-defined]
    assert record_rule_problems(files["elg-metadata.xml"], image="ghcr.io/example/asr:3.1", port=8080,
                                served_paths=["/asr/<lang>", "/diarize"], languages=["fi"]) == []
    record = files["elg-metadata.xml"].decode()
    assert record.count("<ms:inputContentResource>") == 2 and record.count("<ms:outputResource>") == 2
    assert "<ms:executionLocation>http://localhost:8080/asr/fi</ms:executionLocation>" in record
    scheme = "http://w3id.org/meta-share/meta-share/SPDX"
    assert f'<ms:LicenceIdentifier ms:LicenceIdentifierScheme="{scheme}">MIT</ms:LicenceIdentifier>' in record
    assert record.count("<ms:conditionOfUse>http://w3id.org/meta-share/meta-share/attribution</ms:conditionOfUse>\n"
                        "              <ms:conditionOfUse>http://w3id.org/meta-share/meta-share/other</ms:conditionOfUse>"
                        ) == 2
    assert "<ms:resourceName xml:lang=\"en\">Speech to text</ms:resourceName>" in record
    # A description built by hand keeps its settings: nothing is derived from them here.
    assert "name: MAX_QUEUE\n              value: '64'" in files["knative-service.yaml"].decode()


def test_record_fallbacks_of_a_hand_written_description() -> None:
    from elg_decorators.deploy.metadata import fallbacks

    description = _description(record=RecordDetails(summary="Transcribes speech."), languages=())
    record = render_files(description)["elg-metadata.xml"].decode()
    assert "<ms:resourceName xml:lang=\"en\">speech-to-text</ms:resourceName>" in record
    assert "<ms:description xml:lang=\"en\">Transcribes speech.</ms:description>" in record
    assert [line.split(" is ")[0] for line in fallbacks(description)] == [
        "resourceName", "description", "keyword", "function", "languageDependent", "licenceTermsName",
        "conditionOfUse", "landingPage",
    ]
    given = _description(record=RecordDetails(
        title="T", description="D", lt_class="SpeechRecognition", keywords=("k",), landing_page="https://example.org",
        licence="MIT", conditions_of_use=("attribution",)))
    assert fallbacks(given) == []


def test_knative_leaves_out_the_timeout_when_the_service_has_no_deadline() -> None:
    files = render_files(_description(settings=ServerSettings(request_timeout=0)))
    service = yaml.safe_load(files["knative-service.yaml"])
    assert "timeoutSeconds" not in service["spec"]["template"]["spec"]


def test_knative_timeout_outlasts_a_long_graceful_timeout() -> None:
    # Knative also uses timeoutSeconds as the pods' termination grace period.
    files = render_files(_description(settings=ServerSettings(request_timeout=60, graceful_timeout=400)))
    service = yaml.safe_load(files["knative-service.yaml"])
    assert service["spec"]["template"]["spec"]["timeoutSeconds"] == 410


def test_docker_hub_image_gets_its_hub_page_as_landing_page() -> None:
    record = render_files(_description(image="me/asr:3.1", image_repository="me/asr"))["elg-metadata.xml"].decode()
    assert "<ms:landingPage>https://hub.docker.com/r/me/asr</ms:landingPage>" in record
