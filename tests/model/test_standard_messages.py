"""StandardMessages: one generator per standard ELG code, and the HTTP status each code goes with."""

from __future__ import annotations

import warnings

import pytest

from elg_decorators import FlaskService, ProcessingError
from elg_decorators.model import Failure, StandardMessages, StatusMessage

# code, English text, HTTP status (elg-api.md §4.4, "ours" column)
CODES = [
    ("elg.request.invalid", "Invalid request message", 400),
    ("elg.request.missing", "No request provided in message", 400),
    ("elg.request.type.unsupported", "Request type {0} not supported by this service", 400),
    ("elg.request.property.unsupported", "Unsupported property {0} in request", 400),
    ("elg.request.too.large", "Request size too large", 413),
    ("elg.request.parameter.missing", "Required parameter {0} missing from request", 400),
    ("elg.request.parameter.invalid", 'Value "{1}" is not valid for parameter {0}', 400),
    ("elg.request.text.mimeType.unsupported", "MIME type {0} not supported by this service", 400),
    ("elg.request.audio.format.unsupported", "Audio format {0} not supported by this service", 400),
    ("elg.request.audio.sampleRate.unsupported", "Audio sample rate {0} not supported by this service", 400),
    ("elg.request.image.format.unsupported", "Image format {0} not supported by this service", 400),
    (
        "elg.request.structuredText.property.unsupported",
        'Unsupported property {0} in "texts" of structuredText request',
        400,
    ),
    ("elg.response.invalid", "Invalid response message", 500),
    ("elg.response.type.unsupported", "Response type {0} not supported", 500),
    ("elg.response.property.unsupported", "Unsupported property {0} in response", 500),
    ("elg.response.texts.property.unsupported", 'Unsupported property {0} in "texts" of texts response', 500),
    (
        "elg.response.classification.property.unsupported",
        'Unsupported property {0} in "classes" of classification response',
        500,
    ),
    ("elg.service.not.found", "Service {0} not found", 404),
    ("elg.async.call.not.found", "Async call {0} not found", 404),
    ("elg.permissions.quotaExceeded", "Authorized quota exceeded", 429),
    ("elg.permissions.accessDenied", "Access denied", 403),
    ("elg.permissions.accessManagerError", "Error in access manager: {0}", 500),
    ("elg.file.not.found", "File {0} not found", 404),
    ("elg.file.expired", "Requested file {0} no longer available", 410),
    ("elg.upload.too.large", "Upload too large", 413),
    ("elg.service.internalError", "Internal error during processing: {0}", 500),
]


def generator_for(code: str):
    return getattr(StandardMessages, "generate_" + code.replace(".", "_").lower())


def test_there_are_exactly_26_generators():
    names = sorted(name for name in dir(StandardMessages) if name.startswith("generate_"))
    assert names == sorted("generate_" + code.replace(".", "_").lower() for code, _, _ in CODES)
    assert len(names) == 26


@pytest.mark.parametrize("code, text, status", CODES)
def test_generator_without_arguments(code, text, status):
    message = generator_for(code)()
    assert isinstance(message, StatusMessage)
    assert message.json() == StatusMessage(code=code, params=[], text=text, detail={}).json()
    assert message.model_dump(by_alias=True) == {"code": code, "params": [], "text": text, "detail": {}}


@pytest.mark.parametrize("code, text, status", CODES)
def test_generator_converts_params_to_strings_and_keeps_detail(code, text, status):
    message = generator_for(code)(params=[3, 2.5, None, "x"], detail={"trace": ["a", 1]})
    assert message.model_dump(by_alias=True) == {
        "code": code,
        "params": ["3", "2.5", "None", "x"],
        "text": text,
        "detail": {"trace": ["a", 1]},
    }


def test_generator_takes_params_positionally_as_the_reference_does():
    message = StandardMessages.generate_elg_request_parameter_invalid(["lang", "xx"], {"allowed": ["en"]})
    assert message.render() == 'Value "xx" is not valid for parameter lang'
    assert message.detail == {"allowed": ["en"]}


def test_mixed_case_code_gets_a_lower_cased_name():
    message = StandardMessages.generate_elg_request_text_mimetype_unsupported(params=["text/rtf"])
    assert message.code == "elg.request.text.mimeType.unsupported"
    assert message.render() == "MIME type text/rtf not supported by this service"


def test_lang_argument_warns_and_is_ignored():
    with pytest.warns(DeprecationWarning):
        message = StandardMessages.generate_elg_request_invalid(lang="de")
    assert message.text == "Invalid request message"


def test_no_warning_without_lang():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        StandardMessages.generate_elg_service_internalerror(params=["boom"])


@pytest.mark.parametrize("code, text, status", CODES)
def test_processing_error_default_status_follows_the_code(code, text, status):
    error = ProcessingError(code, params=["p"])
    assert error.status == status
    assert error.failure.errors[0].code == code


@pytest.mark.parametrize("code, text, status", CODES)
def test_failure_returned_by_a_handler_gets_the_status_of_its_code(code, text, status):
    class Fails(FlaskService):
        def process_text(self, request):
            return Failure(errors=[generator_for(code)(params=["v"])])

    response = Fails("fails").app.test_client().post("/process", json={"type": "text", "content": "x"})
    assert response.status_code == status
    assert response.get_json() == {
        "failure": {"errors": [{"code": code, "params": ["v"], "text": text, "detail": {}}]}
    }
