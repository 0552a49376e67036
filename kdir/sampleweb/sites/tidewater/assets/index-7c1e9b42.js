// Tidewater Ketamine & Spravato Center: a tiny history-routed single-page app (hand-written, no framework).
// Data comes from /api/clinic.json; links carry data-link and are routed with history.pushState.
const root = document.getElementById("root");
let clinic = null;

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const list = (items) => `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join("")}</ul>`;

const views = {
  "/": {
    title: null,
    render: (c) => `<h1>${esc(c.name)}</h1><p class="lead">${esc(c.intro)}</p>
      <p>We are a certified SPRAVATO&reg; REMS treatment center, and most insurance plans cover Spravato.
      <a href="/insurance" data-link>See the plans we accept</a>.</p>
      <h2>Conditions we treat</h2>${list(c.conditions)}
      <p><a href="tel:${c.tel}">Call ${esc(c.phone)}</a> to book a psychiatric evaluation.</p>`,
  },
  "/treatments": {
    title: "Treatments",
    render: (c) => `<h1>Treatments</h1><p>${esc(c.screening)}</p>
      ${c.treatments.map((t) => `<section id="${t.slug}"><h2>${esc(t.title)}</h2><p>${esc(t.text)}</p></section>`)
        .join("")}
      <p>${esc(c.notOffered)}</p><h2>Conditions we treat</h2>${list(c.conditions)}`,
  },
  "/providers": {
    title: "Our Providers",
    render: (c) => `<h1>Our providers</h1>${c.providers.map((p) => `
      <article class="provider"><h2>${esc(p.name)}, ${esc(p.credentials)}</h2><p class="role">${esc(p.role)}</p>
      <p>${esc(p.bio)}</p><p class="npi">NPI ${esc(p.npi)}</p></article>`).join("")}`,
  },
  "/insurance": {
    title: "Insurance",
    render: (c) => `<h1>Insurance</h1><p>${esc(c.insurance.text)}</p>${list(c.insurance.plans)}
      <p>${esc(c.insurance.note)}</p>`,
  },
  "/fees": {
    title: "Fees",
    render: (c) => `<h1>Fees</h1><table class="fees"><tbody>${c.fees.map((f) => `
      <tr><td>${esc(f.item)}</td><td>${esc(f.price)}</td></tr>`).join("")}</tbody></table>`,
  },
  "/contact": {
    title: "Contact",
    render: (c) => `<h1>Contact</h1>
      <p>Phone: <a href="tel:${c.tel}">${esc(c.phone)}</a></p>
      <p>Email: <a href="mailto:${c.email}">${esc(c.email)}</a></p>
      <address>${esc(c.address.street)}<br>${esc(c.address.city)}, ${c.address.state} ${c.address.zip}</address>
      <p>Hours: ${esc(c.hours)}</p>`,
  },
};

const notFound = {
  title: "Page not found",
  render: () => `<h1>Page not found</h1><p>Sorry, that page does not exist. <a href="/" data-link>Go home</a>.</p>`,
};

function currentPath() {
  return location.pathname.replace(/\/+$/, "") || "/";
}

function jsonLd(c) {
  let tag = document.head.querySelector('script[data-rh="clinic"]');
  if (!tag) {
    tag = document.createElement("script");
    tag.type = "application/ld+json";
    tag.dataset.rh = "clinic";
    document.head.appendChild(tag);
  }
  tag.textContent = JSON.stringify({
    "@context": "https://schema.org",
    "@type": "MedicalClinic",
    name: c.name,
    telephone: c.tel,
    url: c.website,
    address: {
      "@type": "PostalAddress", streetAddress: c.address.street, addressLocality: c.address.city,
      addressRegion: c.address.state, postalCode: c.address.zip, addressCountry: "US",
    },
  });
}

function track() {
  try {
    fetch("/analytics/collect", {
      method: "POST", keepalive: true, headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ path: location.pathname, at: Date.now() }),
    }).catch(() => {});
  } catch (e) {
    // analytics must never break the page
  }
}

function render() {
  const path = currentPath();
  const view = views[path] || notFound;
  const c = clinic;
  document.title = view.title ? `${view.title} | ${c.name}` : c.name;
  root.innerHTML = `
    <header class="site-header"><a href="/" data-link class="brand">${esc(c.name)}</a>
      <nav><a href="/" data-link>Home</a><a href="/treatments" data-link>Treatments</a>
        <a href="/providers" data-link>Providers</a><a href="/insurance" data-link>Insurance</a>
        <button type="button" data-href="/fees">Fees</button><a href="/contact" data-link>Contact</a></nav>
    </header>
    <img class="hero-img" src="/assets/hero.jpg" alt="">
    <main>${view.render(c)}</main>
    <footer class="site-footer"><p><strong>${esc(c.name)}</strong><br>${esc(c.address.street)},
      ${esc(c.address.city)}, ${c.address.state} ${c.address.zip}<br>
      <a href="tel:${c.tel}">${esc(c.phone)}</a> &middot; <a href="mailto:${c.email}">${esc(c.email)}</a></p>
      <p>Organization NPI ${esc(c.npi)} &middot; &copy; 2026 ${esc(c.legalName)} &middot; tidewaterketamine.example
      &middot; In a crisis, call or text 988.</p></footer>`;
  jsonLd(c);
  track();
}

function navigate(path) {
  if (path !== location.pathname) history.pushState(null, "", path);
  render();
  window.scrollTo(0, 0);
}

document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  const target = event.target instanceof Element ? event.target : null;
  const link = target && target.closest("a[data-link]");
  if (link && link.origin === location.origin) {
    event.preventDefault();
    navigate(link.pathname);
    return;
  }
  const button = target && target.closest("[data-href]");
  if (button) {
    event.preventDefault();
    navigate(button.dataset.href);
  }
});

window.addEventListener("popstate", render);

fetch("/api/clinic.json", { headers: { Accept: "application/json" } })
  .then((r) => {
    if (!r.ok) throw new Error(`clinic data: HTTP ${r.status}`);
    return r.json();
  })
  .then((data) => {
    clinic = data;
    render();
  })
  .catch((err) => {
    root.innerHTML = `<p role="alert">Sorry, something went wrong loading this page.</p>`;
    console.error(err);
  });
