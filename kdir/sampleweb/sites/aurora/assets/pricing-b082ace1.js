// Aurora Ketamine Institute: the pricing view, a lazily loaded route chunk.
import { Vue } from "/assets/vendor-08964508.js";

const { h } = Vue;

const prices = [
  { item: "IM ketamine session", price: "$350" },
  { item: "Single IV ketamine infusion", price: "$450" },
  { item: "Series of six IV infusions", price: "$2,550" },
];

export default {
  name: "PricingView",
  setup: () => () => [
    h("h1", "Pricing"),
    h("table", [h("tbody", prices.map((p) => h("tr", { key: p.item }, [
      h("td", p.item),
      h("td", { class: "price" }, p.price),
    ])))]),
    h("p", "The initial consultation is free. We are an out-of-network, self-pay practice; we can give you a "
      + "superbill for reimbursement. HSA and FSA cards are accepted."),
  ],
};
