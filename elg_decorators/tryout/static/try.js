// The try-out page: a form per endpoint of this service, and its answers rendered as ELG users see them.
// Everything that comes from a request or an answer is inserted with textContent, never as HTML.
"use strict";

const page = { service: null, endpoint: null, handler: null, binary: null, lastRequest: null };

// -- small helpers -------------------------------------------------------------------------------

function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  return element;
}

function byId(id) { return document.getElementById(id); }

function clear(element) { while (element.firstChild) element.removeChild(element.firstChild); }

function pretty(value) { return JSON.stringify(value, null, 2); }

// An ELG status message's text with its {0}, {1}… filled from its params ('' is a quote, as in MessageFormat).
function fillMessage(message) {
  const params = message.params || [];
  const text = message.text || message.code || "";
  return text.replace(/\{(\d+)\}/g, (whole, index) => (index < params.length ? String(params[index]) : whole))
    .replace(/''/g, "'");
}

function typeColour(index) {
  const hue = Math.round((index * 137.508 + 200) % 360);
  return { fill: `hsl(${hue} 80% 84%)`, line: `hsl(${hue} 65% 42%)` };
}

// -- the form ------------------------------------------------------------------------------------

async function loadDescription() {
  try {
    const answer = await fetch("/try/endpoints.json", { headers: { Accept: "application/json" } });
    page.service = await answer.json();
  } catch (error) {
    const problem = byId("load-problem");
    problem.textContent = "The description of the endpoints could not be read: " + error;
    problem.hidden = false;
    return;
  }
  byId("service-name").textContent = "Try " + page.service.name;
  document.title = "Try " + page.service.name;
  renderEndpointChoice();
}

function renderEndpointChoice() {
  const select = byId("endpoint");
  clear(select);
  page.service.endpoints.forEach((endpoint, index) => select.appendChild(optionOf(String(index), endpoint.path)));
  byId("endpoint-choice").hidden = page.service.endpoints.length < 2;
  select.onchange = () => chooseEndpoint(page.service.endpoints[Number(select.value)]);
  chooseEndpoint(page.service.endpoints[0]);
}

function chooseEndpoint(endpoint) {
  page.endpoint = endpoint;
  const select = byId("kind");
  clear(select);
  endpoint.handlers.forEach((handler, index) => select.appendChild(optionOf(String(index), handler.requestType)));
  byId("kind-choice").hidden = endpoint.handlers.length < 2;
  select.onchange = () => chooseHandler(endpoint.handlers[Number(select.value)]);
  chooseHandler(endpoint.handlers[0]);
}

function optionOf(value, label) {
  const option = el("option", null, label);
  option.value = value;
  return option;
}

function chooseHandler(handler) {
  page.handler = handler;
  page.binary = null;
  const inputs = byId("inputs");
  clear(inputs);
  const about = `${handler.name} · ${handler.requestType} → ${handler.responseType || "any response"}`;
  inputs.appendChild(el("p", "muted about", about + (handler.streams ? " · may stream progress" : "")));
  if (page.endpoint.urlVariables.length) {
    const box = inputs.appendChild(el("fieldset"));
    box.appendChild(el("legend", null, "URL variables of " + page.endpoint.path));
    page.endpoint.urlVariables.forEach((variable) => box.appendChild(
      labelled(variable.name, variable.type, textInput("url:" + variable.name, variable.type, ""), true)));
  }
  renderContentInput(handler, inputs);
  if (handler.parameters.length) {
    const box = inputs.appendChild(el("fieldset"));
    box.appendChild(el("legend", null, "params"));
    handler.parameters.forEach((parameter) => box.appendChild(renderParameterInput(parameter)));
  }
}

function labelled(name, typeText, input, required) {
  const label = el("label", null, name + (required ? " *" : ""));
  label.appendChild(el("span", "type", typeText));
  label.appendChild(input);
  return label;
}

function textInput(name, type, value) {
  const input = el("input");
  input.type = type === "integer" || type === "number" ? "number" : "text";
  if (input.type === "number") input.step = type === "integer" ? "1" : "any";
  input.name = name;
  input.value = value;
  return input;
}

function renderContentInput(handler, inputs) {
  if (handler.requestType === "text") {
    const area = el("textarea");
    area.name = "content";
    area.placeholder = "The text to send";
    inputs.appendChild(labelled("content", "text", area, true));
  } else if (handler.requestType === "structuredText") {
    const area = el("textarea", "json");
    area.name = "texts";
    area.value = pretty([{ content: "A first text. It has two sentences." }, { texts: [{ content: "A nested text." }] }]);
    inputs.appendChild(labelled("texts", "JSON list of texts: {\"content\": …} or {\"texts\": […]}", area, true));
  } else if (handler.binary) {
    renderBinaryInput(handler, inputs);
  }
}

function renderBinaryInput(handler, inputs) {
  const audio = handler.requestType === "audio";
  const file = el("input");
  file.type = "file";
  file.name = "file";
  file.accept = audio ? "audio/*" : "image/*";
  const preview = el("div", "preview-box");
  const format = el("select");
  format.name = "format";
  handler.formats.forEach((name) => format.appendChild(optionOf(name, name)));
  file.onchange = () => {
    if (!file.files.length) return;
    const chosen = file.files[0];
    page.binary = { blob: chosen, name: chosen.name, type: chosen.type || "application/octet-stream" };
    const guessed = formatOf(chosen.type, handler.formats);
    if (guessed) format.value = guessed;
    renderPreview(preview, chosen, audio);
  };
  inputs.appendChild(labelled("content", audio ? "an audio file" : "an image file", file, true));
  if (audio) inputs.appendChild(renderRecorder(format, preview));
  inputs.appendChild(preview);
  inputs.appendChild(labelled("format", "", format, false));
}

function formatOf(mediaType, formats) {
  const wanted = { "audio/wav": "LINEAR16", "audio/x-wav": "LINEAR16", "audio/wave": "LINEAR16",
    "audio/mpeg": "MP3", "audio/mp3": "MP3", "image/jpeg": "jpeg" }[mediaType] || mediaType.split("/")[1];
  return formats.find((name) => name.toLowerCase() === String(wanted).toLowerCase());
}

function renderPreview(box, blob, audio) {
  clear(box);
  const media = el(audio ? "audio" : "img", audio ? null : "preview");
  if (audio) media.controls = true;
  media.src = URL.createObjectURL(blob);
  box.appendChild(media);
}

// Microphone recording: MediaRecorder records in the browser's codec, which is decoded and written as 16-bit WAV.
function renderRecorder(format, preview) {
  const row = el("div", "recorder");
  const button = el("button", null, "Record from the microphone");
  button.type = "button";
  button.id = "record";
  const state = el("span", "muted");
  row.append(button, state);
  let recorder = null;
  button.onclick = async () => {
    if (recorder) { recorder.stop(); return; }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      state.textContent = "No microphone: " + error.message;
      return;
    }
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (event) => chunks.push(event.data);
    recorder.onstop = async () => {
      stream.getTracks().forEach((track) => track.stop());
      recorder = null;
      button.textContent = "Record from the microphone";
      try {
        const wav = await encodeWav(new Blob(chunks));
        page.binary = { blob: wav.blob, name: "recording.wav", type: "audio/wav", sampleRate: wav.sampleRate };
        format.value = "LINEAR16";
        state.textContent = `Recorded ${wav.seconds.toFixed(1)} s (WAV, ${wav.sampleRate} Hz)`;
        renderPreview(preview, wav.blob, true);
      } catch (error) {
        state.textContent = "The recording could not be decoded: " + error.message;
      }
    };
    recorder.start();
    button.textContent = "Stop recording";
    state.textContent = "Recording…";
  };
  return row;
}

async function encodeWav(recorded) {
  const context = new AudioContext();
  try {
    const audio = await context.decodeAudioData(await recorded.arrayBuffer());
    const samples = new Int16Array(audio.length);
    for (let channel = 0; channel < audio.numberOfChannels; channel += 1) {
      const data = audio.getChannelData(channel);
      for (let i = 0; i < data.length; i += 1) {
        const mixed = samples[i] / 32767 + data[i] / audio.numberOfChannels;
        samples[i] = Math.round(Math.max(-1, Math.min(1, mixed)) * 32767);
      }
    }
    const header = new DataView(new ArrayBuffer(44));
    const text = (offset, word) => [...word].forEach((c, i) => header.setUint8(offset + i, c.charCodeAt(0)));
    text(0, "RIFF"); header.setUint32(4, 36 + samples.byteLength, true); text(8, "WAVE"); text(12, "fmt ");
    header.setUint32(16, 16, true); header.setUint16(20, 1, true); header.setUint16(22, 1, true);
    header.setUint32(24, audio.sampleRate, true); header.setUint32(28, audio.sampleRate * 2, true);
    header.setUint16(32, 2, true); header.setUint16(34, 16, true); text(36, "data");
    header.setUint32(40, samples.byteLength, true);
    const blob = new Blob([header.buffer, samples.buffer], { type: "audio/wav" });
    return { blob, sampleRate: audio.sampleRate, seconds: audio.duration };
  } finally {
    context.close();
  }
}

function renderParameterInput(parameter) {
  const hasDefault = Object.prototype.hasOwnProperty.call(parameter, "default");
  const typeText = parameter.type + (hasDefault ? ", default " + JSON.stringify(parameter.default) : ", required");
  let input;
  if (parameter.choices || parameter.type === "boolean") {
    input = el("select");
    const choices = parameter.choices || [true, false];
    input.appendChild(optionOf("", hasDefault ? "(default)" : "(not given)"));
    choices.forEach((choice) => input.appendChild(optionOf(JSON.stringify(choice), String(choice))));
    if (hasDefault) input.value = JSON.stringify(parameter.default);
  } else {
    const simple = ["string", "integer", "number"].includes(parameter.type);
    const shown = !hasDefault || parameter.default === null ? "" :
      (simple ? String(parameter.default) : JSON.stringify(parameter.default));
    input = textInput("", parameter.type, shown);
  }
  input.name = "param:" + parameter.name;
  input.dataset.type = parameter.type;
  return labelled(parameter.name, typeText, input, parameter.required);
}

// A parameter's value as its type says; a value that does not convert is sent as typed, for the service to refuse.
function parameterValue(input) {
  const raw = input.value;
  if (input.tagName === "SELECT") return JSON.parse(raw);
  const type = input.dataset.type;
  if (type === "string") return raw;
  if (type === "integer" || type === "number") return raw.trim() !== "" && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  try { return JSON.parse(raw); } catch (error) { return raw; }
}

// -- the request ---------------------------------------------------------------------------------

function buildRequest() {
  const form = byId("request-form");
  const handler = page.handler;
  const request = { type: handler.requestType };
  const params = {};
  for (const input of form.querySelectorAll("[name^='param:']")) {
    if (input.value !== "") params[input.name.slice(6)] = parameterValue(input);
  }
  const path = page.endpoint.path.replace(/<(?:[^:<>]+:)?([A-Za-z_][A-Za-z0-9_]*)>/g,
    (whole, name) => encodeURIComponent(form.elements["url:" + name].value));
  const accept = handler.streams ? "text/event-stream" : "application/json";
  if (handler.requestType === "text") request.content = form.elements.content.value;
  if (handler.requestType === "structuredText") {
    try { request.texts = JSON.parse(form.elements.texts.value); } catch (error) {
      request.texts = form.elements.texts.value;  // sent as typed: the service answers what is wrong with it
    }
  }
  if (handler.binary) {
    request.format = form.elements.format.value;
    if (page.binary && page.binary.sampleRate) request.sampleRate = page.binary.sampleRate;
  }
  if (Object.keys(params).length) request.params = params;
  return { path, url: new URL(path, window.location.href).href, accept, request, binary: handler.binary ? page.binary : null };
}

function shellQuote(text) { return "'" + String(text).replace(/'/g, "'\\''") + "'"; }

function curlCommand(built) {
  const parts = ["curl -s", built.accept === "text/event-stream" ? "-N" : null, "-X POST", shellQuote(built.url),
    "-H " + shellQuote("Accept: " + built.accept)];
  const json = JSON.stringify(built.request);
  if (page.handler.binary) {
    const name = built.binary ? built.binary.name : "FILE";
    const type = built.binary ? built.binary.type : "application/octet-stream";
    parts.push("-F " + shellQuote(`request=${json};type=application/json`),
      "-F " + shellQuote(`content=@${name};type=${type}`));
  } else {
    parts.push("-H " + shellQuote("Content-Type: application/json"), "--data-binary " + shellQuote(json));
  }
  return parts.filter(Boolean).join(" ");
}

async function copyAsCurl() {
  const command = curlCommand(buildRequest());
  const shown = byId("curl");
  shown.textContent = command;
  shown.hidden = false;
  try { await navigator.clipboard.writeText(command); } catch (error) { /* shown on the page: copy it from there */ }
}

async function sendRequest(event) {
  event.preventDefault();
  const built = buildRequest();
  page.lastRequest = built;
  const button = byId("send");
  button.disabled = true;
  resetAnswer(built);
  const started = performance.now();
  let body;
  const headers = { Accept: built.accept };
  if (page.handler.binary) {
    body = new FormData();
    body.append("request", new Blob([JSON.stringify(built.request)], { type: "application/json" }));
    if (built.binary) body.append("content", built.binary.blob, built.binary.name);
  } else {
    body = JSON.stringify(built.request);
    headers["Content-Type"] = "application/json";
  }
  try {
    const answer = await fetch(built.path, { method: "POST", headers, body });
    const type = answer.headers.get("Content-Type") || "";
    if (type.startsWith("text/event-stream")) {
      await readEvents(answer, built, started);
    } else {
      const text = await answer.text();
      let message;
      try { message = JSON.parse(text); } catch (error) { message = null; }
      byId("raw-answer").textContent = message ? pretty(message) : text;
      renderMessage(message, answer.status, built, started, text);
    }
  } catch (error) {
    renderStatus(`The request could not be sent: ${error.message}`, true);
  } finally {
    button.disabled = false;
  }
}

// Server-sent events: each "data:" line is one ELG message; progress first, then one response or failure.
async function readEvents(answer, built, started) {
  const reader = answer.body.getReader();
  const decoder = new TextDecoder();
  const events = [];
  let buffer = "";
  let last = null;
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
    const blocks = buffer.split(/\r?\n\r?\n/);
    buffer = done ? "" : blocks.pop();
    for (const block of blocks) {
      const data = block.split(/\r?\n/).filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).replace(/^ /, "")).join("\n");
      if (!data) continue;
      const message = JSON.parse(data);
      events.push(message);
      byId("raw-answer").textContent = events.map((event) => JSON.stringify(event)).join("\n");
      if (message.progress) renderProgress(message.progress);
      else last = message;
    }
    if (done) break;
  }
  renderMessage(last, answer.status, built, started, "(the stream ended without a response)", true);
}

// -- the answer ----------------------------------------------------------------------------------

function resetAnswer(built) {
  clear(byId("answer"));
  byId("progress-box").hidden = true;
  byId("progress").value = 0;
  byId("raw-answer").textContent = "";
  const shown = Object.assign({}, built.request);
  const rawRequest = `POST ${built.path}\nAccept: ${built.accept}\n\n${pretty(shown)}`;
  byId("raw-request").textContent = rawRequest + (page.handler.binary ?
    `\n\ncontent: ${built.binary ? `${built.binary.name} (${built.binary.type}, ${built.binary.blob.size} bytes)` : "none"}` : "");
  renderStatus("Waiting for the answer…", false);
}

function renderStatus(text, failed) {
  const status = byId("status");
  status.textContent = text;
  status.className = failed ? "failed" : "";
}

function renderProgress(progress) {
  byId("progress-box").hidden = false;
  const percent = Number(progress.percent) || 0;
  byId("progress").value = Math.max(0, Math.min(100, percent));
  byId("progress-percent").textContent = `${percent} %`;
  byId("progress-message").textContent = progress.message ? fillMessage(progress.message) : "";
}

function renderMessage(message, status, built, started, fallback, streamed) {
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const answer = byId("answer");
  if (message && message.response) {
    const response = message.response;
    renderStatus(`HTTP ${status} · ${response.type} response · ${seconds} s`, false);
    if (streamed && !byId("progress-box").hidden) byId("progress-percent").textContent += " · done";
    renderWarnings(response.warnings || [], answer);
    renderResponse(response, built, answer);
  } else if (message && message.failure) {
    renderStatus(`HTTP ${status} · failure · ${seconds} s`, true);
    renderFailure(message.failure, status, answer);
  } else {
    renderStatus(`HTTP ${status} · not an ELG message`, true);
    answer.appendChild(el("pre", "problem", fallback));
  }
}

function renderWarnings(warnings, container) {
  warnings.forEach((warning) => {
    const box = container.appendChild(el("div", "warning"));
    box.appendChild(el("div", "text", "Warning: " + fillMessage(warning)));
    box.appendChild(el("div", "code", warning.code));
  });
}

function renderFailure(failure, status, container) {
  (failure.errors || []).forEach((error) => {
    const box = container.appendChild(el("div", "failure"));
    box.appendChild(el("div", "text", fillMessage(error)));
    box.appendChild(el("div", "code", `${error.code} · HTTP ${status}`));
    if (error.detail && Object.keys(error.detail).length) box.appendChild(el("pre", "detail", pretty(error.detail)));
  });
}

function renderResponse(response, built, container) {
  if (response.type === "annotations") renderAnnotationsResponse(response, built, container);
  else if (response.type === "classification") renderClassification(response.classes || [], container);
  else if (response.type === "texts") renderTexts(response.texts || [], container);
  else if (response.type === "audio") renderAudioResponse(response, container);
  else container.appendChild(el("pre", null, pretty(response)));
  if (response.type !== "texts" && response.features) renderFeatures(response.features, container, "Features");
}

function renderAnnotationsResponse(response, built, container) {
  const annotations = response.annotations || {};
  if (built.request.type === "text") renderHighlightedText(built.request.content, annotations, container);
  else renderAnnotationTable(annotations, null, container, built.request.type === "audio" ? "s" : "");
}

function renderFeatures(features, container, title) {
  if (title) container.appendChild(el("h2", null, title));
  const table = container.appendChild(el("table", "features"));
  Object.entries(features).forEach(([key, value]) => {
    const row = table.appendChild(el("tr"));
    row.appendChild(el("th", null, key));
    row.appendChild(el("td", null, value !== null && typeof value === "object" ? JSON.stringify(value) : String(value)));
  });
  return table;
}

// Offsets are Unicode code points: the text is split with Array.from, never indexed as UTF-16.
function checkAnnotations(chars, annotations) {
  const valid = [];
  const problems = [];
  Object.entries(annotations).forEach(([type, list]) => (list || []).forEach((annotation, index) => {
    const { start, end } = annotation;
    let problem = null;
    if (!Number.isInteger(start) || !Number.isInteger(end)) problem = `offsets ${start}–${end} are not whole numbers`;
    else if (start < 0 || end < start) problem = `offsets ${start}–${end} are not a span`;
    else if (end > chars.length) problem = `end ${end} is past the end of the text (${chars.length} characters)`;
    if (problem) problems.push(`${type} #${index + 1}: ${problem}`);
    else valid.push({ type, start, end, annotation, text: chars.slice(start, end).join("") });
  }));
  return { valid, problems };
}

function renderHighlightedText(text, annotations, container) {
  const chars = Array.from(text || "");
  const types = Object.keys(annotations);
  const colours = Object.fromEntries(types.map((type, index) => [type, typeColour(index)]));
  const { valid, problems } = checkAnnotations(chars, annotations);
  const shown = new Set(types);
  const legend = container.appendChild(el("div", "legend"));
  const textBox = container.appendChild(el("div", "highlighted"));
  types.forEach((type) => {
    const label = legend.appendChild(el("label"));
    const toggle = el("input");
    toggle.type = "checkbox";
    toggle.checked = true;
    toggle.dataset.type = type;
    toggle.onchange = () => {
      if (toggle.checked) shown.add(type); else shown.delete(type);
      renderSegments(textBox, chars, valid.filter((span) => shown.has(span.type)), colours);
    };
    const swatch = el("span", "swatch");
    swatch.style.background = colours[type].fill;
    swatch.style.borderColor = colours[type].line;
    label.append(toggle, swatch, el("span", "type-name", type), el("span", "count", `(${(annotations[type] || []).length})`));
  });
  renderSegments(textBox, chars, valid, colours);
  problems.forEach((problem) => container.appendChild(el("p", "problem annotation-problem", "Wrong offset: " + problem)));
  renderAnnotationTable(annotations, chars, container, "");
}

// The text split at every start and end, so that overlapping and nested spans are each visible:
// the innermost annotation colours the background, each covering one adds an underline below the text.
function renderSegments(box, chars, spans, colours) {
  clear(box);
  const cuts = new Set([0, chars.length]);
  spans.forEach((span) => { cuts.add(span.start); cuts.add(span.end); });
  const bounds = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i + 1 < bounds.length; i += 1) {
    const [from, to] = [bounds[i], bounds[i + 1]];
    const segment = el("span", "segment", chars.slice(from, to).join(""));
    const covering = spans.filter((span) => span.start <= from && span.end >= to && span.start < span.end)
      .sort((a, b) => (b.end - b.start) - (a.end - a.start));
    if (covering.length) {
      segment.classList.add("annotated");
      segment.dataset.types = [...new Set(covering.map((span) => span.type))].join(" ");
      segment.style.background = colours[covering[covering.length - 1].type].fill;
      segment.style.boxShadow = covering.map((span, depth) => `inset 0 -${3 * (depth + 1)}px 0 ${colours[span.type].line}`)
        .reverse().join(", ");
      segment.style.paddingBottom = `${3 * covering.length}px`;
      segment.onmouseenter = (event) => showHoverCard(covering, event);
      segment.onmousemove = (event) => placeHoverCard(event);
      segment.onmouseleave = () => { byId("hover-card").hidden = true; };
    }
    box.appendChild(segment);
  }
}

function showHoverCard(covering, event) {
  const card = byId("hover-card");
  clear(card);
  covering.forEach((span) => {
    card.appendChild(el("h4", null, `${span.type} ${span.start}–${span.end}: “${span.text}”`));
    if (span.annotation.features) renderFeatures(span.annotation.features, card, null);
  });
  card.hidden = false;
  placeHoverCard(event);
}

function placeHoverCard(event) {
  const card = byId("hover-card");
  card.style.left = `${Math.min(event.clientX + 12, window.innerWidth - card.offsetWidth - 8)}px`;
  card.style.top = `${event.clientY + 16}px`;
}

function renderAnnotationTable(annotations, chars, container, unit) {
  const entries = Object.entries(annotations);
  if (!entries.length) return;
  container.appendChild(el("h2", null, "Annotations"));
  const table = container.appendChild(el("table", "annotations"));
  const head = table.appendChild(el("tr"));
  ["type", "start", "end", chars ? "text" : null, "features"].filter(Boolean).forEach((name) => head.appendChild(el("th", null, name)));
  entries.forEach(([type, list]) => (list || []).forEach((annotation) => {
    const row = table.appendChild(el("tr"));
    row.appendChild(el("td", null, type));
    row.appendChild(el("td", null, `${annotation.start}${unit}`));
    row.appendChild(el("td", null, `${annotation.end}${unit}`));
    if (chars) {
      const fits = Number.isInteger(annotation.start) && Number.isInteger(annotation.end) &&
        annotation.start >= 0 && annotation.end <= chars.length;
      row.appendChild(el("td", fits ? null : "problem", fits ? chars.slice(annotation.start, annotation.end).join("") : "(wrong offset)"));
    }
    const features = row.appendChild(el("td"));
    if (annotation.features) renderFeatures(annotation.features, features, null);
  }));
}

function renderClassification(classes, container) {
  const box = container.appendChild(el("div", "classes"));
  const scores = classes.map((item) => item.score).filter((score) => typeof score === "number");
  const top = Math.max(1, ...scores.map(Math.abs));
  classes.forEach((item) => {
    const row = box.appendChild(el("div", "class-row"));
    row.appendChild(el("span", "class-name", item.class));
    const track = row.appendChild(el("div", "bar-track"));
    const bar = track.appendChild(el("div", "bar"));
    const score = typeof item.score === "number" ? item.score : null;
    bar.style.width = `${score === null ? 0 : (100 * Math.abs(score)) / top}%`;
    row.appendChild(el("span", "score", score === null ? "—" : score.toFixed(3)));
  });
}

function renderTexts(texts, container) {
  texts.forEach((node) => container.appendChild(renderTextNode(node)));
}

function renderTextNode(node) {
  const box = el("div", "text-node");
  const head = box.appendChild(el("div"));
  if (node.role) head.appendChild(el("span", "role", node.role));
  if (typeof node.score === "number") head.appendChild(el("span", "score", "score " + node.score.toFixed(3)));
  if (typeof node.content === "string") {
    if (node.annotations && Object.keys(node.annotations).length) renderHighlightedText(node.content, node.annotations, box);
    else box.appendChild(el("div", "content", node.content));
  }
  if (node.features) renderFeatures(node.features, box, null);
  (node.texts || []).forEach((child) => box.appendChild(renderTextNode(child)));
  return box;
}

function renderAudioResponse(response, container) {
  const bytes = Uint8Array.from(atob(response.content || ""), (c) => c.charCodeAt(0));
  const type = response.format === "MP3" ? "audio/mpeg" : "audio/wav";
  const player = container.appendChild(el("audio"));
  player.controls = true;
  player.src = URL.createObjectURL(new Blob([bytes], { type }));
  container.appendChild(el("p", "muted", `${response.format}, ${bytes.length} bytes`));
  if (response.annotations) renderAnnotationTable(response.annotations, null, container, "s");
}

document.addEventListener("DOMContentLoaded", () => {
  byId("request-form").addEventListener("submit", sendRequest);
  byId("copy-curl").addEventListener("click", copyAsCurl);
  loadDescription();
});
