"""Realistic clinic-page HTML written for these tests (not taken from any real or sample site)."""

from __future__ import annotations

YOAST_HOME = """<!DOCTYPE html>
<html lang="en-US"><head><meta charset="UTF-8">
<title>Ketamine Therapy Austin | Serenity Ketamine Clinic</title>
<meta property="og:type" content="website"><meta property="og:site_name" content="Serenity Ketamine Clinic">
<script type="application/ld+json" class="yoast-schema-graph">{"@context":"https://schema.org","@graph":[
{"@type":"WebPage","@id":"https://serenity.example/","url":"https://serenity.example/","name":"Home",
 "isPartOf":{"@id":"https://serenity.example/#website"},"about":{"@id":"https://serenity.example/#organization"}},
{"@type":"WebSite","@id":"https://serenity.example/#website","publisher":{"@id":"https://serenity.example/#organization"}},
{"@type":["MedicalClinic","LocalBusiness"],"@id":"https://serenity.example/#organization",
 "name":"Serenity Ketamine Clinic","url":"https://serenity.example/","telephone":"(512) 555-0134",
 "email":"mailto:hello@serenity.example","priceRange":"$400 - $600",
 "address":{"@id":"https://serenity.example/#address"},
 "geo":{"@type":"GeoCoordinates","latitude":"30.2711","longitude":"-97.7560"},
 "aggregateRating":{"@type":"AggregateRating","ratingValue":"4.8","reviewCount":"37","bestRating":"5"},
 "review":[{"@type":"Review","reviewBody":"Kind staff, and my depression finally lifted.",
   "reviewRating":{"@type":"Rating","ratingValue":"5"},"author":{"@type":"Person","name":"Jamie R."},
   "datePublished":"2025-03-14T10:00:00Z"}],
 "employee":[{"@type":"Person","name":"Dr. Alan Reyes","honorificSuffix":"D.O.","jobTitle":"Medical Director",
   "usNPI":"1234567893"}],
 "availableService":[{"@type":"MedicalTherapy","name":"IV Ketamine Infusion"},
   {"@type":"MedicalTherapy","name":"Spravato (esketamine) nasal spray"}]},
{"@type":"PostalAddress","@id":"https://serenity.example/#address","streetAddress":"1200 W. Sixth Street, Suite 300",
 "addressLocality":"Austin","addressRegion":"Texas","postalCode":"78703","addressCountry":"US"}
]}</script>
<style>.hero{color:red}</style><script>var _paq = window._paq || [];</script>
</head><body class="home page">
<header><nav><a href="/">Home</a> <a href="/services/">Services</a> <a href="/our-team/">Our Team</a>
<a href="/pricing/">Pricing</a> <a href="/blog/">Blog</a> <a href="tel:+1-512-555-0134">Call (512) 555-0134</a></nav></header>
<main>
<h1>Ketamine Infusion Therapy in Austin</h1>
<p>We offer IV ketamine infusions and Spravato&reg; for treatment-resistant depression, anxiety and PTSD.
We do not offer at-home ketamine.</p>
<p>Every new patient starts with a comprehensive psychiatric evaluation, and our therapists provide
integration sessions after each infusion.</p>
<p>Telehealth consultations are available for follow-up visits.</p>
</main>
<footer class="site-footer"><p>Serenity Ketamine Clinic</p><p>1200 W. Sixth Street, Suite 300<br>Austin, TX 78703</p>
<p>Phone: (512) 555-0134 | Fax: (512) 555-0135</p><p>info [at] serenity [dot] example</p>
<p>&copy; 2025 Serenity Ketamine Clinic. <a href="/privacy">Privacy</a></p></footer>
</body></html>"""

SQUARESPACE_SERVICES = """<!doctype html><html><head><title>Services &mdash; Juniper Mind Wellness</title>
<meta property="og:site_name" content="Juniper Mind Wellness"></head>
<body><div class="sqs-layout"><div class="sqs-block html-block"><div class="sqs-block-content">
<h2>Our Services</h2>
<p>Juniper Mind offers ketamine-assisted psychotherapy (KAP) with sublingual lozenges in our calm office,
as well as intramuscular ketamine for deeper sessions.</p>
<p>IV infusions are not offered at this time.</p>
<h3>What we treat</h3>
<ul><li>Depression</li><li>Postpartum depression</li><li>Obsessive-compulsive disorder</li><li>Eating disorders</li></ul>
<h3>Investment</h3>
<p>KAP sessions are $350 per session. A package of three sessions is $975.</p>
<p>We are an out-of-network provider and can give you a superbill.</p>
</div></div></div>
<footer><div class="sqs-block"><p>Juniper Mind Wellness<br>410 NE Alberta St<br>Portland, OR 97211</p>
<p>(503) 555-0110 &middot; care@junipermind.example</p></div></footer></body></html>"""

TEAM_PAGE = """<html><head><title>Meet Our Team | Juniper Mind Wellness</title></head><body>
<h1>Meet Our Team</h1>
<div class="team-member"><h3>Dr. Omar Haddad, MD</h3><p>Medical Director &amp; Psychiatrist</p>
<p>Dr. Haddad is board certified in psychiatry. NPI: 1234567893</p></div>
<div class="team-member"><h3>Maria Chen</h3><p>LCSW</p><p>Maria leads our integration circles.</p></div>
<div class="team-member"><h3>Sam Patel, PMHNP-BC</h3><p>Psychiatric Nurse Practitioner</p></div>
<div class="team-member"><h3>José Núñez, M.D.</h3><p>Consulting Anesthesiologist</p></div>
<p>Former provider: Lee Grant, LPC (NPI 1234567890)</p>
</body></html>"""

BLOG_DENTAL = """<html><head><title>Sedation options at the dentist | Bright Smile Dental Blog</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"BlogPosting",
"headline":"Sedation options","datePublished":"2024-05-01"}</script></head><body>
<article><h1>Sedation options at the dentist</h1>
<p>Some oral surgery practices use ketamine for sedation during long dental procedures.</p>
<p>Our dental office offers nitrous oxide and IV sedation for anxious patients.</p></article></body></html>"""

DENTAL_HOME = """<html><head><title>Bright Smile Dental</title></head><body>
<h1>Family dentistry in Denver</h1><p>Our dentists offer cleanings, crowns and IV sedation.</p>
<p>Dental implants and veterinary-grade sterilisation. Ketamine is used by our oral surgeon for surgical sedation.</p>
<footer><p>55 Elm Ave, Denver, CO 80202</p><p>(303) 555-0177</p></footer></body></html>"""

CHAIN_HOME = """<html><head><title>Lumina Ketamine Centers - IV ketamine in Colorado</title>
<meta property="og:site_name" content="Lumina Ketamine Centers">
<script type="application/ld+json">[
{"@context":"https://schema.org","@type":"MedicalClinic","name":"Lumina Ketamine Centers - Denver",
 "telephone":"+1 303 555 0101","address":{"@type":"PostalAddress","streetAddress":"1550 Larimer St",
 "addressLocality":"Denver","addressRegion":"CO","postalCode":"80202"}},
{"@context":"https://schema.org","@type":"MedicalClinic","name":"Lumina Ketamine Centers - Boulder",
 "telephone":"+1 303 555 0102","address":{"@type":"PostalAddress","streetAddress":"2000 Pearl Street",
 "addressLocality":"Boulder","addressRegion":"CO","postalCode":"80302"}}
]</script></head><body>
<h1>Ketamine infusions for depression and chronic pain</h1>
<p>Lumina provides IV ketamine infusion therapy and esketamine (Spravato) treatment at three Colorado clinics.
We are a certified Spravato treatment center. We accept Aetna, Cigna and Medicare for Spravato.</p>
<footer><h4>Denver</h4><p>1550 Larimer St, Denver, CO 80202</p>
<h4>Boulder</h4><p>2000 Pearl St.<br>Boulder, CO 80302</p>
<h4>Colorado Springs</h4><p>30 E. Pikes Peak Ave, Suite 100<br>Colorado Springs, CO 80903</p><p>(719) 555-0103</p>
</footer></body></html>"""

CHAIN_LOCATION = """<html><head><title>Colorado Springs | Lumina Ketamine Centers</title></head><body>
<h1>Lumina Ketamine Centers - Colorado Springs</h1><p>Our Colorado Springs clinic opened in 2022.</p>
<p>30 E. Pikes Peak Ave, Suite 100<br>Colorado Springs, CO 80903</p><p>Call (719) 555-0103</p>
<iframe src="https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d3!2d-104.82!3d38.83!2m3!1f0!2f0!3f0!3m2!1i1024!2i768!4f13.1!3m3!1m2!1s0x0%3A0x0!2zMzjCsDQ5!3d38.8339!4d-104.8214"></iframe>
</body></html>"""

SOLO_HOME = """<html><head><title>Dr. Lena Ortiz, MD | Ketamine-Assisted Psychiatry</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Physician",
 "name":"Lena Ortiz, MD","medicalSpecialty":"Psychiatric","usNPI":"1234567893","telephone":"415-555-0122",
 "address":{"@type":"PostalAddress","streetAddress":"88 Valencia St","addressLocality":"San Francisco",
 "addressRegion":"CA","postalCode":"94103"}}</script></head><body>
<h1>Lena Ortiz, MD</h1><p>Board-certified psychiatrist offering ketamine-assisted psychotherapy and
Spravato in San Francisco. Oral ketamine with integration therapy; telehealth follow-ups for California residents.</p>
</body></html>"""

NOT_PROVIDER = """<html><head><title>Calm Minds Counseling</title></head><body>
<h1>Counseling for anxiety and depression</h1>
<p>We do not offer ketamine or any medication treatment. Our therapists provide talk therapy.</p>
<footer><p>12 Oak Rd, Springfield, IL 62701</p></footer></body></html>"""

MICRODATA_PAGE = """<html><head><title>Contact</title></head><body>
<div itemscope itemtype="https://schema.org/MedicalBusiness">
 <h1 itemprop="name">Harbor Light Ketamine</h1>
 <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
  <span itemprop="streetAddress">77 Harbor Way</span>, <span itemprop="addressLocality">Seattle</span>,
  <span itemprop="addressRegion">WA</span> <span itemprop="postalCode">98101</span></div>
 <span itemprop="telephone">206.555.0190</span>
 <div itemprop="aggregateRating" itemscope itemtype="https://schema.org/AggregateRating">
  <span itemprop="ratingValue">4.6</span> from <span itemprop="reviewCount">12</span> reviews</div>
</div></body></html>"""

RDFA_PAGE = """<html><head><title>About</title></head><body>
<div vocab="https://schema.org/" typeof="MedicalClinic"><span property="name">Cedar Ketamine Institute</span>
<div property="address" typeof="PostalAddress"><span property="streetAddress">9 Cedar Ln</span>
<span property="addressLocality">Boise</span> <span property="addressRegion">ID</span>
<span property="postalCode">83702</span></div><span property="telephone">208-555-0150</span></div>
</body></html>"""

NEXT_DATA_PAGE = """<html><head><title>Locations</title></head><body><div id="__next"></div>
<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"clinics":[
{"name":"Mesa Ketamine - Phoenix","address":{"line1":"400 N 7th St","city":"Phoenix","state":"AZ","zip":"85004"},
 "phone":"602-555-0141","lat":33.45,"lng":-112.06}]}}}</script>
<script>window.__STATE__ = {clinic: {name: 'Mesa Ketamine - Tempe', phone: '480-555-0142',
 address: {street: '10 E University Dr', city: 'Tempe', state: 'AZ', zip: '85281'}}};</script>
</body></html>"""

APP_SHELL = """<!DOCTYPE html><html><head><title>Aurora Ketamine - Tucson</title></head>
<body><div id="root"></div><script>
window.__INITIAL_STATE__ = {
  clinic: {name: 'Aurora Ketamine', phone: '520-555-0161',
           address: {street: '33 E Congress St', unit: 'Suite 5', city: 'Tucson', state: 'AZ', zip: '85701'},
           rating: {avg: 4.7, count: 19}},
  page: {body: 'Aurora offers IV ketamine infusions for depression and PTSD. We do not offer at-home ketamine.',
         services: ['medical-screening', 'integration-therapy']},
};
</script></body></html>"""

SOLO_PROSE = """<html><head><title>Quiet Harbor Counseling</title></head><body>
<h1>Ketamine-assisted psychotherapy in Asheville</h1>
<p>I am a psychiatric nurse practitioner. I offer ketamine-assisted psychotherapy with sublingual lozenges,
and my practice also supports at-home sessions through telehealth after an in-person evaluation.</p>
<p>Jamie Rivera, PMHNP-BC &middot; NPI 1234567893</p>
<footer><p>9 Lexington Ave, Asheville, NC 28801</p></footer></body></html>"""


WIX_LIKE_HOME = """<!DOCTYPE html><html><head><title>Ketamine Clinic in Dallas, TX | Renew Mind Ketamine &amp; Wellness</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization","name":"Renew Mind Ketamine & Wellness","url":"https://renewmind.example","logo":"https://renewmind.example/logo.png","sameAs":["https://facebook.com/renewmind"]}</script>
<script>window.dataLayer = window.dataLayer || []; var wpData = {"ajaxurl":"https:\\/\\/renewmind.example\\/wp-admin\\/admin-ajax.php","nonce":"abc123"};</script>
</head><body class="home page-template">
<div id="comp-1" class="wixui-header"><nav><ul><li><a href="/ketamine-therapy">Ketamine Therapy</a></li><li><a href="/spravato">Spravato®</a></li><li><a href="/about-us">About Us</a></li><li><a href="/blog">Blog</a></li><li><a href="tel:2145550188">(214) 555-0188</a></li></ul></nav></div>
<div class="mobile-menu"><ul><li><a href="/ketamine-therapy">Ketamine Therapy</a></li><li><a href="/spravato">Spravato®</a></li></ul></div>
<section><h1><span>Find Relief From Depression</span></h1>
<p><span style="font-weight:bold">Renew Mind</span> offers <strong>IV ketamine infusion therapy</strong> and <strong>Spravato®</strong> in Dallas, TX. Serving Plano, Frisco, and the DFW area.</p>
<p>Struggling with depression, anxiety, PTSD, or chronic pain? You don't have to suffer.</p>
<p>Don't wait - schedule your free consultation today!</p>
<p>Ketamine has been used safely as an anesthetic for decades. Ketamine is not FDA approved for depression; its use is off-label.</p>
<h2>Meet Our Medical Director</h2><p>Dr. Sarah Kim, MD, FASA is a board-certified anesthesiologist with 15 years of experience.</p>
<h2>Pricing</h2><p>Infusions start at $399. Ask about our package pricing! Financing available through CareCredit.</p>
<p>We do not accept insurance at this time, but HSA/FSA cards are welcome.</p>
<p>If you are having thoughts of suicide, call 988 or 1-800-273-8255. For emergencies dial 911.</p>
</section>
<footer class="site-footer"><div><p>Renew Mind Ketamine &amp; Wellness</p><p>8111 LBJ Fwy Suite 1050</p><p>Dallas, TX 75251</p>
<p>P: 214.555.0188 | F: 214.555.0189</p><p>Mon-Fri 9am-5pm</p><p>© 2024 Renew Mind. All rights reserved. | Website by Acme Digital, 100 Main St, Austin, TX 78701</p></div></footer>
</body></html>
"""
