"""The DCAT catalogue (/catalog.jsonld, /.well-known/dcat): valid JSON-LD
(expanded and turned into RDF by PyLD, offline: the context is inline), one
catalogue listing every village's datasets and every township's bulk
downloads, each distribution a working address; public pages point to it."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from pyld import jsonld
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import Township, Village

DCAT, DCT = "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
KNOWN = {  # the DCAT 3 / Dublin Core / FOAF terms each node type may use
    DCAT + "Catalog": {DCT + "title", DCT + "description", DCT + "language", FOAF + "homepage", DCAT + "dataset"},
    DCAT + "Dataset": {DCT + "identifier", DCT + "title", DCT + "description", DCAT + "keyword", DCT + "publisher",
                       DCT + "spatial", DCT + "language", DCAT + "landingPage", DCAT + "distribution",
                       DCT + "modified"},
    DCAT + "Distribution": {DCT + "title", DCAT + "accessURL", DCAT + "downloadURL", DCAT + "mediaType"},
    FOAF + "Agent": {FOAF + "name"},
}


def _walk(node, found):  # noqa: ANN001, ANN202
    if isinstance(node, dict):
        for kind in node.get("@type", []):
            found.setdefault(kind, []).append(node)
        for key, value in node.items():
            if not key.startswith("@"):
                _walk(value, found)
    elif isinstance(node, list):
        for item in node:
            _walk(item, found)
    return found


def test_the_catalogue_is_json_ld_and_lists_every_villages_datasets(demo_app: Flask) -> None:
    client = demo_app.test_client()
    response = client.get("/catalog.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert client.get("/.well-known/dcat").data == response.data
    document = response.get_json()

    expanded = jsonld.expand(document)
    nodes = _walk(expanded, {})
    assert len(nodes[DCAT + "Catalog"]) == 1
    for kind, allowed in KNOWN.items():
        for node in nodes.get(kind, []):
            assert set(node) - {"@id", "@type"} <= allowed, (kind, set(node) - allowed)
    quads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    assert quads.count(f"<{DCAT}Dataset>") == len(nodes[DCAT + "Dataset"])

    identifiers = {d[DCT + "identifier"][0]["@value"] for d in nodes[DCAT + "Dataset"]}
    with demo_app.app_context():
        villages = list(db.session.execute(select(Village.code)).scalars())
        townships = list(db.session.execute(select(Township.code)).scalars())
    assert len(villages) >= 3
    assert identifiers == ({f"{c}/notices" for c in villages} | {f"{c}/finance" for c in villages}
                           | {f"{c}/bulk" for c in townships})
    for dataset in nodes[DCAT + "Dataset"]:
        assert dataset[DCT + "title"][0]["@language"].lower() == "zh-cn"  # PyLD lower-cases tags
        assert dataset[DCAT + "distribution"], dataset["@id"]
    for distribution in nodes[DCAT + "Distribution"]:
        url = urlsplit(distribution[DCAT + "accessURL"][0]["@id"])
        assert client.get(url.path).status_code == 200, url.path
        media = distribution[DCAT + "mediaType"][0]["@id"]
        assert media.startswith("https://www.iana.org/assignments/media-types/")
    modified = [d[DCT + "modified"][0] for d in nodes[DCAT + "Dataset"] if DCT + "modified" in d]
    assert modified and all(m["@value"].endswith("+08:00") for m in modified)


def test_public_pages_point_to_the_data(demo_app: Flask) -> None:
    client = demo_app.test_client()
    for path in ("/m/dongfeng", "/kiosk/dongfeng/home"):
        response = client.get(path)
        assert response.status_code == 200, path
        link = response.headers["Link"]
        assert '</catalog.jsonld>; rel="describedby"' in link
        assert '</api/villages/dongfeng/notices>; rel="alternate"; type="application/json"' in link
        assert '</feed/dongfeng.atom>; rel="alternate"' in link
        html = response.get_data(as_text=True)
        assert 'rel="describedby" type="application/ld+json"' in html and "/catalog.jsonld" in html
        assert 'href="/api/villages/dongfeng/notices"' in html
    assert "Link" not in client.get("/api/villages").headers
