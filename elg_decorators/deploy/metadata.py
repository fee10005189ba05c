"""``elg-metadata.xml``: the ELG-SHARE (1.5.0) metadata record of a functional service.

The record describes one ``ToolService`` run from the docker image: one software
distribution per path (where ELG calls it inside the container), one input resource
per request kind, one output resource per response kind, the languages given, and
the memory it needs. Element order follows the XSD's sequences. No creation date is
written, so the same input gives the same bytes.

Each kind says what the record states about it (``elg_share``); for a kind that
does not, the resource is derived from the kind and :func:`derived_resources` says so.
Where an option was not given, the record falls back on another value, and
:func:`fallbacks` says which and names the option.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..kinds import JSON_TEXT, RequestKind, ResponseKind, ShareResource
from .description import ServiceDescription
from .vocabulary import META_SHARE, OMTD_SHARE

__all__ = [
    "metadata_record", "resource_name", "resource_description", "landing_page", "keywords", "execution_location",
    "input_resource", "output_resource", "derived_resources", "fallbacks", "NAMESPACE", "LANGUAGE", "MEDIA_TYPES",
]

NAMESPACE = META_SHARE
#: The language of the record's own texts (names, description, keywords).
LANGUAGE = "en"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
UNSPECIFIED = "unspecified"


#: The media types of ELG-SHARE (the fixed ``mediaType`` values of its feature elements).
MEDIA_TYPES = ("text", "audio", "image", "video", "textNumerical")


def input_resource(kind: RequestKind) -> ShareResource:
    """What the record says about requests of ``kind``: the kind's own ELG-SHARE facts, else facts derived
    from it (a file of the media type its bare bodies or its name give, or typed text)."""
    if kind.elg_share is not None:
        return kind.elg_share
    candidates = [media_type.partition("/")[0] for media_type in kind.raw_media_types] + [kind.type]
    media_type = next((candidate for candidate in candidates if candidate in MEDIA_TYPES), None)
    if kind.binary:
        return ShareResource("file1", media_type, text_encoded=False)
    return ShareResource("userInputText", media_type or "text")


def output_resource(kind: ResponseKind) -> ShareResource:
    """What the record says about responses of ``kind``: the kind's own ELG-SHARE facts, else JSON text."""
    return kind.elg_share if kind.elg_share is not None else JSON_TEXT


def derived_resources(description: ServiceDescription) -> list[str]:
    """Each input or output the record derives because its kind gives no ELG-SHARE facts, as
    ``'video' requests (as file1, mediaType video)``."""
    shown = [(f"{kind.type!r} requests", input_resource(kind))
             for kind in description.request_kinds if kind.elg_share is None]
    shown += [(f"{kind.type!r} responses", output_resource(kind))
              for kind in description.response_kinds if kind.elg_share is None]
    return [f"{what} (as {resource.processing_type}, "
            f"{'mediaType ' + resource.media_type if resource.media_type else 'no mediaType'})"
            for what, resource in shown]


ET.register_namespace("ms", NAMESPACE)


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _add(parent: ET.Element, name: str, text: str | None = None, *, lang: bool = False) -> ET.Element:
    element = ET.SubElement(parent, _tag(name))
    if lang:
        element.set(_XML_LANG, LANGUAGE)
    if text is not None:
        element.text = text
    return element


def execution_location(description: ServiceDescription, location: str) -> str:
    """The URL inside the container where ELG calls a path: ``http://localhost:8000/process``."""
    return f"http://localhost:{description.settings.port}{location}"


def resource_name(description: ServiceDescription) -> str:
    """The title given with ``--title``, else the service's name."""
    return description.record.title or description.name


def resource_description(description: ServiceDescription) -> str:
    """The description given, else the first paragraph of the script's docstring, else a placeholder."""
    record = description.record
    return record.description or record.summary or f"{resource_name(description)}: a European Language Grid service"


def landing_page(description: ServiceDescription) -> str:
    """The page given with ``--landing-page``, else the image repository's page."""
    if description.record.landing_page:
        return description.record.landing_page
    domain, _, path = description.image_repository.partition("/")
    if not path or not ("." in domain or ":" in domain or domain == "localhost"):
        domain, path = "", description.image_repository
    if domain in ("", "docker.io", "index.docker.io"):
        return f"https://hub.docker.com/_/{path}" if "/" not in path else f"https://hub.docker.com/r/{path}"
    return f"https://{domain}/{path}"


def keywords(description: ServiceDescription) -> tuple[str, ...]:
    """The keywords given, else the LT class in words (``named entity recognition``), else the name."""
    if description.record.keywords:
        return description.record.keywords
    if description.record.lt_class:
        return (re.sub(r"(?<=[a-z])(?=[A-Z])", " ", description.record.lt_class).lower(),)
    return (description.name.replace("-", " "),)


def _language(parent: ET.Element, tag: str) -> None:
    element = _add(parent, "language")
    _add(element, "languageTag", tag)
    parts = tag.split("-")
    _add(element, "languageId", parts[0])
    for part in parts[1:]:
        _add(element, "scriptId" if len(part) == 4 else "regionId", part)


def _resource(parent: ET.Element, name: str, resource: ShareResource, languages: tuple[str, ...]) -> None:
    element = _add(parent, name)
    _add(element, "processingResourceType", META_SHARE + resource.processing_type)
    for tag in languages:
        _language(element, tag)
    if resource.media_type is not None:
        _add(element, "mediaType", META_SHARE + resource.media_type)
    for data_format in resource.data_formats:
        _add(element, "dataFormat", OMTD_SHARE + data_format)
    if resource.text_encoded:
        _add(element, "characterEncoding", META_SHARE + "UTF-8")


def _licence(parent: ET.Element, description: ServiceDescription) -> None:
    terms = _add(parent, "licenceTerms")
    licence = description.record.licence
    _add(terms, "licenceTermsName", licence or UNSPECIFIED, lang=True)
    # Without a licence identifier, the licence is whatever the landing page states.
    url = f"https://spdx.org/licenses/{licence}.html" if licence else landing_page(description)
    _add(terms, "licenceTermsURL", url)
    for condition in description.record.conditions_of_use or (UNSPECIFIED,):
        _add(terms, "conditionOfUse", META_SHARE + condition)
    if licence:
        identifier = _add(terms, "LicenceIdentifier", licence)
        identifier.set(_tag("LicenceIdentifierScheme"), META_SHARE + "SPDX")


def _tool_service(parent: ET.Element, description: ServiceDescription) -> None:
    tool = _add(_add(parent, "LRSubclass"), "ToolService")
    _add(tool, "lrType", "ToolService")
    function = _add(tool, "function")
    if description.record.lt_class:
        _add(function, "LTClassRecommended", OMTD_SHARE + description.record.lt_class)
    else:
        _add(function, "LTClassOther", UNSPECIFIED)
    for endpoint in description.endpoints:
        distribution = _add(tool, "SoftwareDistribution")
        _add(distribution, "SoftwareDistributionForm", META_SHARE + "dockerImage")
        _add(distribution, "executionLocation", execution_location(description, endpoint.location))
        _add(distribution, "dockerDownloadLocation", description.image)
        _add(distribution, "additionalHWRequirements", f"limits_memory: {description.memory}")
        _licence(distribution, description)
    _add(tool, "languageDependent", "true" if description.languages else "false")
    for kind in description.request_kinds:
        _resource(tool, "inputContentResource", input_resource(kind), description.languages)
    for response in description.response_kinds:
        _resource(tool, "outputResource", output_resource(response), description.languages)
    _add(tool, "evaluated", "false")


def metadata_record(description: ServiceDescription) -> bytes:
    """The record as UTF-8 XML bytes, indented by two spaces, ending in a newline."""
    root = ET.Element(_tag("MetadataRecord"))
    _add(root, "compliesWith", META_SHARE + "ELG-SHARE")
    resource = _add(_add(root, "DescribedEntity"), "LanguageResource")
    _add(resource, "entityType", "LanguageResource")
    _add(resource, "resourceName", resource_name(description), lang=True)
    _add(resource, "resourceShortName", description.name, lang=True)
    _add(resource, "description", resource_description(description), lang=True)
    _add(resource, "version", description.version)
    info = _add(resource, "additionalInfo")
    if description.record.email and not description.record.landing_page:
        _add(info, "email", description.record.email)
    else:
        _add(info, "landingPage", landing_page(description))
    for keyword in keywords(description):
        _add(resource, "keyword", keyword, lang=True)
    if description.record.lt_class:
        _add(_add(resource, "intendedApplication"), "LTClassRecommended", OMTD_SHARE + description.record.lt_class)
    _tool_service(resource, description)
    ET.indent(root, space="  ")
    document: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return document + b"\n"


def fallbacks(description: ServiceDescription) -> list[str]:
    """Each value the record falls back on because an option was not given, with that option:
    ``conditionOfUse is 'unspecified'; give --condition-of-use ...``."""
    record = description.record
    said = []
    if not record.title:
        said.append(f"resourceName is {resource_name(description)!r}, the service's name (--name); give --title")
    if not record.description:
        said.append("description is the first paragraph of the script's docstring; give --description"
                    if record.summary else
                    f"description is the placeholder {resource_description(description)!r}; give --description "
                    "(or a docstring to the script)")
    if not record.keywords:
        source = "from --lt-class" if record.lt_class else "the service's name"
        said.append(f"keyword is {keywords(description)[0]!r}, {source}; give --keyword (repeatable)")
    if not record.lt_class:
        said.append(f"function is LTClassOther {UNSPECIFIED!r}; give --lt-class ('deploy --list-lt-classes' "
                    "lists them)")
    if not description.languages:
        said.append("languageDependent is false, and no input or output has a language; give --language "
                    "for each language the service processes")
    if not record.licence:
        said.append(f"licenceTermsName is {UNSPECIFIED!r} and licenceTermsURL the landing page "
                    f"{landing_page(description)}; give --licence (an SPDX identifier)")
    if not record.conditions_of_use:
        said.append(f"conditionOfUse is {UNSPECIFIED!r}; give --condition-of-use (repeatable), "
                    "e.g. attribution or nonCommercialUse")
    if not record.landing_page and not record.email:
        said.append(f"landingPage is {landing_page(description)}, the image's repository; give --landing-page "
                    "(or --email)")
    return said
