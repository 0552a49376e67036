// Aurora Ketamine Institute: a tiny hash-routed single-page app (hand-written, no framework, no build step).
const clinic = {
  name: "Aurora Ketamine Institute",
  phone: "(612) 555-0131",
  tel: "+16125550131",
  email: "hello@auroraketamine.example",
  website: "https://auroraketamine.example/",
  street: "730 Hennepin Ave, Suite 450",
  city: "Minneapolis",
  state: "MN",
  zip: "55403",
  hours: "Mon\u2013Fri 7:30am\u20135:30pm, Sat 8am\u201312pm",
};

const treatments = [
  { title: "IV ketamine infusion", text: "A low-dose ketamine infusion given over about 40 minutes in a private "
      + "recovery suite, with heart rate, blood pressure and oxygen monitored throughout." },
  { title: "IM ketamine injection", text: "Intramuscular (IM) ketamine for patients who prefer not to have an IV; "
      + "effects begin within minutes and the visit takes about an hour." },
  { title: "Ketamine-assisted psychotherapy (KAP)", text: "Sessions pair a ketamine treatment with a licensed "
      + "therapist who prepares you beforehand and stays with you throughout." },
  { title: "Integration therapy", text: "Follow-up integration sessions help you turn insights into lasting "
      + "change." },
];

const conditions = ["Depression", "Treatment-resistant depression", "Anxiety", "PTSD", "Chronic pain"];

const team = [
  { name: "Ingrid Solberg", credentials: "MD", role: "Medical Director", npi: "1742036589",
    bio: "Board-certified psychiatrist who has led ketamine treatment programs in the Twin Cities since 2017." },
  { name: "Nora Bergstrom", credentials: "CRNA", role: "Certified Registered Nurse Anesthetist", npi: "1860914278",
    bio: "Administers and monitors every infusion." },
  { name: "Hannah Voss", credentials: "RN", role: "Infusion Nurse", npi: null,
    bio: "Coordinates intake, vital-sign checks and recovery." },
];

const prices = [
  { item: "IM ketamine session", price: "$350" },
  { item: "Single IV ketamine infusion", price: "$450" },
  { item: "Series of six IV infusions", price: "$2,550" },
];

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const list = (items) => `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join("")}</ul>`;

const views = {
  "/": {
    title: "Home",
    render: () => `
      <section class="hero"><h1>${esc(clinic.name)}</h1>
      <p>Physician-led IV ketamine infusions and IM ketamine in downtown Minneapolis for depression, anxiety,
      PTSD and chronic pain.</p>
      <p>Every treatment plan begins with a medical screening and a psychiatric evaluation.</p>
      <p><a class="cta" href="tel:${clinic.tel}">Call ${esc(clinic.phone)}</a> or
      <a href="#/contact">request a consultation</a>.</p></section>
      <h2>Conditions we treat</h2>${list(conditions)}`,
  },
  "/treatments": {
    title: "Treatments",
    render: () => `<h1>Treatments</h1>
      <p>Before your first treatment you meet our medical director for a medical screening: health history,
      current medications, blood pressure and a depression and anxiety assessment.</p>
      <div class="cards">${treatments.map((t) => `<div class="card"><h2>${esc(t.title)}</h2>
        <p>${esc(t.text)}</p></div>`).join("")}</div>
      <h2>Conditions we treat</h2>${list(conditions)}`,
  },
  "/team": {
    title: "Our Team",
    render: () => `<h1>Our team</h1><div class="cards">${team.map((p) => `
      <div class="card practitioner"><h2>${esc(p.name)}, ${esc(p.credentials)}</h2>
      <p class="role">${esc(p.role)}</p><p>${esc(p.bio)}</p>
      ${p.npi ? `<p class="npi">NPI: ${esc(p.npi)}</p>` : ""}</div>`).join("")}</div>`,
  },
  "/pricing": {
    title: "Pricing",
    render: () => `<h1>Pricing</h1><table><tbody>${prices.map((p) => `
      <tr><td>${esc(p.item)}</td><td class="price">${esc(p.price)}</td></tr>`).join("")}</tbody></table>
      <p>The initial consultation is free. We are an out-of-network, self-pay practice; we can give you a
      superbill for reimbursement. HSA and FSA cards are accepted.</p>`,
  },
  "/contact": {
    title: "Contact",
    render: () => `<h1>Contact us</h1>
      <p>Phone: <a href="tel:${clinic.tel}">${esc(clinic.phone)}</a></p>
      <p>Email: <a href="mailto:${clinic.email}">${esc(clinic.email)}</a></p>
      <address>${esc(clinic.street)}<br>${esc(clinic.city)}, ${clinic.state} ${clinic.zip}</address>
      <p>Hours: ${esc(clinic.hours)}</p>
      <p>Parking is available in the ramp on 8th Street; we validate.</p>`,
  },
};

const notFound = { title: "Not found", render: () => `<h1>Page not found</h1><p><a href="#/">Back home</a></p>` };

const nav = [["#/", "Home"], ["#/treatments", "Treatments"], ["#/team", "Our Team"], ["#/pricing", "Pricing"],
  ["#/contact", "Contact"]];

function currentRoute() {
  const path = location.hash.replace(/^#/, "").replace(/\/+$/, "");
  return path || "/";
}

function render() {
  const route = currentRoute();
  const view = views[route] || notFound;
  const app = document.getElementById("app");
  document.title = route === "/" ? clinic.name : `${view.title} | ${clinic.name}`;
  app.innerHTML = `
    <header class="topbar"><a class="brand" href="#/">${esc(clinic.name)}</a>
      <nav>${nav.map(([href, label]) => `<a href="${href}"${href === `#${route}` ? ' class="active"' : ""}>${label}</a>`)
        .join("")}</nav></header>
    <main>${view.render()}</main>
    <footer><p><strong>${esc(clinic.name)}</strong><br>${esc(clinic.street)}, ${esc(clinic.city)},
      ${clinic.state} ${clinic.zip}<br>Phone: <a href="tel:${clinic.tel}">${esc(clinic.phone)}</a></p>
      <p>&copy; 2026 ${esc(clinic.name)} &middot; auroraketamine.example &middot; If you are in crisis, call or
      text 988.</p></footer>`;
  window.scrollTo(0, 0);
}

window.addEventListener("hashchange", render);
render();
