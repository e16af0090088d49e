// The CohortSync web console: a hash-routed page over /api/v1. The token lives in sessionStorage (this tab only) and
// goes out as a bearer token; a read-only token gets no buttons. Everything shown is escaped: names come from Amplitude.
"use strict";

const store = window.sessionStorage;
const main = document.getElementById("main");
let refresh = null;

const esc = value => String(value ?? "").replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const when = value => value ? new Date(value).toLocaleString() : "—";
const count = value => Number(value ?? 0).toLocaleString("en-US");

async function api(method, path) {
  const answer = await fetch(`/api/v1${path}`, { method, headers: { Authorization: `Bearer ${store.getItem("token")}` } });
  const body = answer.headers.get("content-type")?.includes("json") ? await answer.json() : null;
  if (answer.status === 401) throw Object.assign(new Error("The token was refused; sign in again."), { status: 401 });
  if (!answer.ok) throw new Error(body?.detail ?? `The API answered ${answer.status}.`);
  return body;
}

function signOut() {
  store.clear();
  location.hash = "#/";
  route();
}

function showError(error) {
  const line = document.createElement("p");
  line.className = "error";
  line.setAttribute("role", "alert");
  line.textContent = error.message;
  main.prepend(line);
}

function signInPage() {
  main.innerHTML = `
    <section><h1>Sign in</h1>
      <form id="sign-in">
        <label for="token">API token <small>(from <code>cohortsync token create</code>)</small></label>
        <input id="token" type="password" autocomplete="off" required>
        <label for="project">Amplitude project id</label>
        <input id="project" required>
        <div class="actions"><button type="submit">Sign in</button></div>
      </form>
    </section>`;
  document.getElementById("sign-in").addEventListener("submit", async event => {
    event.preventDefault();
    store.setItem("token", document.getElementById("token").value.trim());
    const project = document.getElementById("project").value.trim();
    try {
      const access = await api("GET", "/token");
      store.setItem("readOnly", access.readOnly ? "1" : "");
      store.setItem("project", project);
      location.hash = `#/projects/${encodeURIComponent(project)}`;
    } catch (error) {
      store.clear();
      signInPage();
      showError(error);
    }
  });
}

const readOnly = () => store.getItem("readOnly") === "1";

function lastRun(run) {
  return run ? `#${run.runNumber} ${esc(run.outcome)} ${esc(when(run.finishedAt ?? run.startedAt))}` : "—";
}

async function projectPage(projectId) {
  const [project, syncs, destinations] = await Promise.all([
    api("GET", `/projects/${encodeURIComponent(projectId)}`),
    api("GET", `/projects/${encodeURIComponent(projectId)}/syncs`),
    api("GET", `/projects/${encodeURIComponent(projectId)}/destinations`),
  ]);
  const names = Object.fromEntries(destinations.map(d => [d.destinationId, d.name]));
  main.innerHTML = `
    <h1>Project ${esc(project.projectId)} ${project.enabled ? "" : "<small>(disabled)</small>"}</h1>
    <section><h2>Syncs</h2>
      <table id="syncs"><thead><tr><th>Sync</th><th>Cohort</th><th>Destination</th><th>Cadence</th><th>State</th><th>Last run</th><th>Next run</th></tr></thead>
      <tbody>${syncs.map(s => `
        <tr data-sync="${esc(s.syncId)}">
          <td><a href="#/projects/${encodeURIComponent(projectId)}/syncs/${encodeURIComponent(s.syncId)}">${esc(s.syncId)}</a></td>
          <td>${esc(s.cohortName ?? s.cohortId)}</td><td>${esc(names[s.destinationId] ?? s.destinationId)}</td><td>${esc(s.cadence)}</td>
          <td class="state state-${esc(s.state)}">${esc(s.state)}</td><td>${lastRun(s.lastRun)}</td><td>${esc(when(s.nextRunAt))}</td>
        </tr>`).join("") || `<tr><td colspan="7">No syncs yet: <code>cohortsync sync start</code> creates one.</td></tr>`}</tbody></table>
    </section>
    <section><h2>Destinations</h2>
      <table id="destinations"><thead><tr><th>Destination</th><th>Name</th><th>Iterable</th><th>Key</th><th>Health</th></tr></thead>
      <tbody>${destinations.map(d => `
        <tr><td>${esc(d.destinationId)}</td><td>${esc(d.name)}</td><td>${esc(d.iterableUrl)}</td><td>${esc(d.keyHint)}</td>
          <td class="${d.health === "healthy" ? "" : "unhealthy"}">${esc(d.health)}${d.healthReason ? `: ${esc(d.healthReason)}` : ""}</td></tr>`).join("")}</tbody></table>
    </section>`;
}

// List size after each run (what the list holds once a run succeeded) and the adds and removes it sent, oldest first.
function chart(runs) {
  const points = runs.slice().reverse();
  if (points.length === 0) return "<p>No runs yet.</p>";
  const width = 640, height = 180, pad = 30;
  let size = 0;
  const sizes = points.map(r => (size = r.outcome === "succeeded" ? r.counts.desired : size));
  const top = Math.max(1, ...sizes, ...points.map(r => Math.max(r.counts.added, r.counts.removed)));
  const step = (width - 2 * pad) / Math.max(1, points.length);
  const y = v => height - pad - (v / top) * (height - 2 * pad);
  const bars = points.map((r, i) => {
    const x = pad + i * step + step * 0.15, w = step * 0.3;
    return `<rect class="adds" x="${x}" y="${y(r.counts.added)}" width="${w}" height="${height - pad - y(r.counts.added)}" fill="#3a9d5d"><title>run ${r.runNumber}: ${count(r.counts.added)} added</title></rect>
            <rect class="removes" x="${x + w}" y="${y(r.counts.removed)}" width="${w}" height="${height - pad - y(r.counts.removed)}" fill="#d0573f"><title>run ${r.runNumber}: ${count(r.counts.removed)} removed</title></rect>
            <text x="${pad + i * step + step / 2}" y="${height - pad + 14}" text-anchor="middle">#${r.runNumber}</text>`;
  }).join("");
  const line = sizes.map((s, i) => `${pad + i * step + step / 2},${y(s)}`).join(" ");
  return `<svg id="chart" role="img" aria-label="List size and adds and removes per run" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
      <line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#99a"/>
      <text x="${pad}" y="${pad - 10}">${count(top)}</text>${bars}
      <polyline class="size" points="${line}" fill="none" stroke="#2f5cd6" stroke-width="2"/>
    </svg>
    <div class="legend"><span style="color:#2f5cd6">— list size</span><span style="color:#3a9d5d">■ added</span><span style="color:#d0573f">■ removed</span></div>`;
}

function buttons(sync) {
  if (readOnly()) return "";
  const shown = [["run", "Run now"], ...(sync.state === "paused" ? [["resume", "Resume"]] : [["pause", "Pause"]]),
    ...(sync.state === "held" ? [["approve", "Approve held run"], ["reject", "Reject held run"]] : [])];
  return `<div class="actions">${shown.map(([verb, label]) => `<button data-action="${verb}">${label}</button>`).join("")}</div>`;
}

async function syncPage(projectId, syncId) {
  const base = `/projects/${encodeURIComponent(projectId)}/syncs/${encodeURIComponent(syncId)}`;
  const [sync, runs] = await Promise.all([api("GET", base), api("GET", `${base}/history?limit=50`)]);
  const preview = document.getElementById("preview")?.innerHTML;
  main.innerHTML = `
    <p><a href="#/projects/${encodeURIComponent(projectId)}">← project ${esc(projectId)}</a></p>
    <h1>Sync ${esc(sync.syncId)}: ${esc(sync.cohortName ?? sync.cohortId)}</h1>
    <section><h2>Status</h2><dl>
      <dt>State</dt><dd id="state" class="state state-${esc(sync.state)}">${esc(sync.state)}</dd>
      ${sync.stateReason ? `<dt>Reason</dt><dd>${esc(sync.stateReason)}</dd>` : ""}
      <dt>List</dt><dd>${esc(sync.listName ?? "—")}</dd>
      <dt>Members synced</dt><dd>${count(sync.syncedCount)}</dd>
      <dt>Cadence</dt><dd>${esc(sync.cadence)}</dd>
      <dt>Removal guard</dt><dd>${esc(sync.guard ?? "—")}</dd>
      <dt>Active run</dt><dd>${sync.activeRun ? `#${sync.activeRun.runNumber} ${esc(sync.activeRun.phase)}` : "—"}</dd>
      <dt>Last run</dt><dd>${lastRun(sync.lastRun)}</dd>
      <dt>Next run</dt><dd>${esc(when(sync.nextRunAt))}</dd>
      ${sync.warning ? `<dt>Warning</dt><dd>${esc(sync.warning)}</dd>` : ""}
    </dl>${buttons(sync)}</section>
    <section><h2>List size, adds and removes per run</h2>${chart(runs)}</section>
    <section><h2>Next run</h2><div id="preview">${preview ?? `<button class="secondary" data-action="preview">Preview the next run</button> <small>(one Amplitude download; sends nothing)</small>`}</div></section>
    <section><h2>Run history</h2>
      <table id="history"><thead><tr><th>Run</th><th>Trigger</th><th>Started</th><th>Outcome</th><th>Desired</th><th>Added</th><th>Removed</th><th>Reason</th></tr></thead>
      <tbody>${runs.map(r => `<tr data-run="${r.runNumber}"><td>#${r.runNumber}</td><td>${esc(r.trigger)}</td><td>${esc(when(r.startedAt))}</td>
        <td class="state state-${esc(r.outcome)}">${esc(r.outcome)}</td><td>${count(r.counts.desired)}</td><td>${count(r.counts.added)}</td>
        <td>${count(r.counts.removed)}</td><td>${esc(r.reason ?? "")}</td></tr>`).join("")}</tbody></table>
    </section>`;
  main.querySelectorAll("button[data-action]").forEach(button => button.addEventListener("click", async () => {
    const verb = button.dataset.action;
    button.disabled = true;
    try {
      if (verb === "preview") {
        const p = await api("GET", `${base}/preview`);
        document.getElementById("preview").innerHTML = `<dl>
          <dt>Would add</dt><dd id="preview-adds">${count(p.adds)}</dd><dt>Would remove</dt><dd id="preview-removes">${count(p.removes)}</dd>
          <dt>Cohort members</dt><dd>${count(p.desired)}</dd><dt>Held by the guard</dt><dd>${p.wouldBeHeld ? "yes" : "no"}</dd>
          <dt>Computed</dt><dd>${esc(when(new Date()))}</dd></dl>`;
        return;
      }
      await api("POST", `${base}/${verb}`);
      await syncPage(projectId, syncId);
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
  }));
}

function failed(error) {
  if (error.status !== 401) return showError(error);
  clearInterval(refresh);
  route();
}

async function route() {
  clearInterval(refresh);
  const signedIn = !!store.getItem("token");
  document.getElementById("sign-out").hidden = !signedIn;
  document.getElementById("who").textContent = signedIn ? (readOnly() ? "read-only token" : "") : "";
  if (!signedIn) return signInPage();
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  try {
    if (parts[0] === "projects" && parts[2] === "syncs" && parts[3]) {
      await syncPage(parts[1], parts[3]);
      // The page follows the sync: a run started here, or by its cadence, shows up in the history as it ends.
      refresh = setInterval(() => syncPage(parts[1], parts[3]).catch(failed), 2000);
    } else if (parts[0] === "projects" && parts[1]) {
      await projectPage(parts[1]);
      refresh = setInterval(() => projectPage(parts[1]).catch(failed), 5000);
    } else {
      location.hash = `#/projects/${encodeURIComponent(store.getItem("project"))}`;
    }
  } catch (error) {
    // A token revoked meanwhile: back to the sign-in form, saying why.
    if (error.status === 401) {
      store.clear();
      document.getElementById("sign-out").hidden = true;
      signInPage();
    } else {
      main.innerHTML = "";
    }
    showError(error);
  }
}

document.getElementById("sign-out").addEventListener("click", signOut);
window.addEventListener("hashchange", route);
route();
