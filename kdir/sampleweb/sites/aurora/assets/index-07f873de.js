// Aurora Ketamine Institute: Vue 3 + vue-router 4 (hash history), components as render functions.
import { Vue, VueRouter } from "/assets/vendor-08964508.js";

const { createApp, h } = Vue;
const { createRouter, createWebHashHistory, RouterLink, RouterView } = VueRouter;

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

const link = (to, label, props = {}) => h(RouterLink, { to, ...props }, () => label);
const tel = () => h("a", { href: `tel:${clinic.tel}` }, clinic.phone);
const conditionList = () => [h("h2", "Conditions we treat"), h("ul", conditions.map((c) => h("li", c)))];

const HomeView = {
  name: "HomeView",
  setup: () => () => [
    h("section", { class: "hero" }, [
      h("h1", clinic.name),
      h("p", "Physician-led IV ketamine infusions and IM ketamine in downtown Minneapolis for depression, "
        + "anxiety, PTSD and chronic pain."),
      h("p", "Every treatment plan begins with a medical screening and a psychiatric evaluation."),
      h("p", [h("a", { class: "cta", href: `tel:${clinic.tel}` }, `Call ${clinic.phone}`), " or ",
        link("/contact", "request a consultation"), "."]),
    ]),
    ...conditionList(),
  ],
};

const TreatmentsView = {
  name: "TreatmentsView",
  setup: () => () => [
    h("h1", "Treatments"),
    h("p", "Before your first treatment you meet our medical director for a medical screening: health history, "
      + "current medications, blood pressure and a depression and anxiety assessment."),
    h("div", { class: "cards" }, treatments.map((t) => h("div", { class: "card" }, [h("h2", t.title), h("p", t.text)]))),
    ...conditionList(),
  ],
};

const TeamView = {
  name: "TeamView",
  setup: () => () => [
    h("h1", "Our team"),
    h("div", { class: "cards" }, team.map((p) => h("div", { class: "card practitioner", key: p.name }, [
      h("h2", `${p.name}, ${p.credentials}`),
      h("p", { class: "role" }, p.role),
      h("p", p.bio),
      p.npi ? h("p", { class: "npi" }, `NPI: ${p.npi}`) : null,
    ]))),
  ],
};

const ContactView = {
  name: "ContactView",
  setup: () => () => [
    h("h1", "Contact us"),
    h("p", ["Phone: ", tel()]),
    h("p", ["Email: ", h("a", { href: `mailto:${clinic.email}` }, clinic.email)]),
    h("address", [clinic.street, h("br"), `${clinic.city}, ${clinic.state} ${clinic.zip}`]),
    h("p", `Hours: ${clinic.hours}`),
    h("p", "Parking is available in the ramp on 8th Street; we validate."),
  ],
};

const NotFoundView = {
  name: "NotFoundView",
  setup: () => () => [h("h1", "Page not found"), h("p", [link("/", "Back home")])],
};

const nav = [["/", "Home"], ["/treatments", "Treatments"], ["/team", "Our Team"], ["/pricing", "Pricing"],
  ["/contact", "Contact"]];

const App = {
  name: "App",
  setup: () => () => [
    h("header", { class: "topbar" }, [
      link("/", clinic.name, { class: "brand", activeClass: "", exactActiveClass: "" }),
      h("nav", nav.map(([to, label]) => link(to, label))),
    ]),
    h("main", [h(RouterView)]),
    h("footer", [
      h("p", [h("strong", clinic.name), h("br"), `${clinic.street}, ${clinic.city}, ${clinic.state} ${clinic.zip}`,
        h("br"), "Phone: ", tel()]),
      h("p", `\u00a9 2026 ${clinic.name} \u00b7 auroraketamine.example \u00b7 If you are in crisis, call or text 988.`),
    ]),
  ],
};

const router = createRouter({
  history: createWebHashHistory(),
  linkExactActiveClass: "active",
  routes: [
    { path: "/", component: HomeView, meta: { title: "Home" } },
    { path: "/treatments", component: TreatmentsView, meta: { title: "Treatments" } },
    { path: "/team", component: TeamView, meta: { title: "Our Team" } },
    // code-split like Vite: the pricing view arrives in its own chunk on first navigation
    { path: "/pricing", component: () => import("/assets/pricing-b082ace1.js"), meta: { title: "Pricing" } },
    { path: "/contact", component: ContactView, meta: { title: "Contact" } },
    { path: "/:pathMatch(.*)*", component: NotFoundView, meta: { title: "Not found" } },
  ],
  scrollBehavior: () => ({ top: 0 }),
});

router.afterEach((to) => {
  document.title = to.path === "/" ? clinic.name : `${to.meta.title} | ${clinic.name}`;
});

createApp(App).use(router).mount("#app");
