#!/usr/bin/env python3
"""Validate lumen.jsonl / kestrel.jsonl of blind set 3 and print counts."""

import collections
import datetime as dt
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TICKET_REQ = ["ticket_id", "message_id", "received_at", "channel", "subject", "body", "requester"]
TICKET_OPT = ["thread", "metadata"]
TRUTH_KEYS = [
    "language",
    "identifiers",
    "foreign_identifiers",
    "cross_tenant",
    "missing",
    "problem_type",
    "action",
    "expected",
    "actual",
    "time",
    "emails",
    "secrets",
    "forwarded",
    "notes",
]
LANG_TARGET = {"en": 18, "de": 7, "fr": 7, "es": 7, "pt": 7, "it": 7, "nl": 7}
EMAIL_RE = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
HOST_RE = r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}"
FMT = {
    "lumen": {
        "account_id": r"acc_[a-z0-9]{6}",
        "workspace_id": r"ws_[a-z0-9]{6}",
        "user_id": r"usr_[a-z0-9]{6}",
        "dashboard_id": r"dsh_[a-z0-9]{6}",
        "export_id": r"exp_[a-z0-9]{6}",
        "request_id": r"req_[0-9a-f]{12}",
        "api_key_prefix": r"lk_live_[A-Za-z0-9]{4}",
        "error_code": r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+",
        "integration": r"[a-z_]+",
        "user_email": EMAIL_RE,
        "workspace_name": r".+",
    },
    "kestrel": {
        "organization_id": r"org_\d{8}",
        "member_id": r"mbr_[0-9a-f]{10}",
        "request_id": r"req_[0-9a-f]{16}",
        "api_key_prefix": r"km_live_[A-Za-z0-9]{6}",
        "key_id": r"key_[a-z0-9]{8}",
        "message_id": r"01[0-9A-HJKMNP-TV-Z]{24}",
        "webhook_id": r"wh_[a-z0-9]{10}",
        "template_id": r"tmpl_[a-z_]+",
        "recipient_email": EMAIL_RE,
        "sending_domain": HOST_RE,
        "error_code": r"(?:[a-z]+(?:_[a-z]+)+|[245]\d\d [245]\.\d{1,3}\.\d{1,3})",
        "user_email": EMAIL_RE,
        "integration": r".+",
    },
}
FOREIGN_RE = {
    "lumen": r"(?:acc|ws|usr|dsh|exp)_[a-z0-9]{6}",
    "kestrel": r"(?:org_\d{8}|wh_[a-z0-9]{10}|mbr_[0-9a-f]{10})",
}
TENANT = {"lumen": "workspace_id", "kestrel": "organization_id"}
PTYPES = {
    "lumen": {
        "login",
        "export",
        "dashboard",
        "api",
        "ingest",
        "integration",
        "permissions",
        "billing",
        "data_missing",
        "performance",
        "general",
    },
    "kestrel": {"sending", "delivery", "domain", "auth", "account", "billing", "webhooks", "general"},
}
VENDOR = {"lumen": "lumen.example", "kestrel": "kestrelmail.example"}
FULLKEY_RE = {
    "lumen": r"lk_live_[A-Za-z0-9]{32}(?![A-Za-z0-9])",
    "kestrel": r"km_live_[A-Za-z0-9]{40}(?![A-Za-z0-9])",
}
JWT_RE = r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"
WHSEC_RE = r"whsec_[A-Za-z0-9]{32}"
QUOTE_RE = r"(wrote:|schrieb[^\n]*:|escreveu:|escribió:|a écrit|ha scritto|schreef)"
ERR, WARN = [], []


def ts(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")


def check(prod, rows):
    ids, mids = set(), set()
    c = collections.defaultdict(collections.Counter)
    for n, r in enumerate(rows, 1):
        t, y = r.get("ticket", {}), r.get("truth", {})
        tid = t.get("ticket_id", "line%d" % n)
        e = lambda m: ERR.append("%s %s: %s" % (prod, tid, m))
        w = lambda m: WARN.append("%s %s: %s" % (prod, tid, m))
        if set(r) != {"ticket", "truth"}:
            e("top keys %s" % list(r))
        if not set(TICKET_REQ) <= set(t) or set(t) - set(TICKET_REQ) - set(TICKET_OPT):
            e("ticket keys %s" % list(t))
        if list(y) != TRUTH_KEYS:
            e("truth keys %s" % list(y))
        if set(t.get("requester", {})) != {"email", "name"}:
            e("requester keys")
        for th in t.get("thread", []):
            if set(th) != {"author", "sent_at", "body"}:
                e("thread keys")
        if tid in ids:
            e("duplicate ticket_id")
        if t["message_id"] in mids:
            e("duplicate message_id")
        ids.add(tid)
        mids.add(t["message_id"])
        if t["channel"] not in ("email", "web", "chat"):
            e("channel")
        recv = ts(t["received_at"])
        if not (dt.datetime(2026, 11, 20) <= recv < dt.datetime(2026, 11, 30)):
            e("received_at out of range")
        text = t["subject"] + "\n" + t["body"] + "".join("\n" + th["body"] for th in t.get("thread", []))
        low = text.lower()
        # identifiers
        for k, v in y["identifiers"].items():
            if k not in FMT[prod]:
                e("unknown identifier kind %s" % k)
                continue
            if not re.fullmatch(FMT[prod][k], v):
                e("bad format %s=%r" % (k, v))
            if k == "api_key_prefix":
                if v not in text:
                    e("prefix %s not in text" % v)
            elif v.lower() not in low:
                e("identifier %s=%r not in text" % (k, v))
            elif k not in ("integration", "workspace_name") and v not in text:
                e("identifier %s=%r case differs" % (k, v))
        for v in y["foreign_identifiers"]:
            if v not in text:
                e("foreign %s not in text" % v)
            if v in y["identifiers"].values():
                e("foreign %s also own" % v)
        if y["foreign_identifiers"] and not y["cross_tenant"]:
            w("foreign ids but not cross_tenant")
        if y["cross_tenant"] and not y["foreign_identifiers"]:
            w("cross_tenant without foreign ids")
        # unlabelled id-looking strings
        own = set(y["identifiers"].values()) | set(y["foreign_identifiers"])
        for m in set(re.findall(FOREIGN_RE[prod], text)):
            if m not in own and not re.search(QUOTE_RE, text):
                w("unlabelled id-like %s" % m)
        # emails
        for em in y["emails"]:
            if em not in text:
                e("email %s not in text" % em)
            if em.lower().endswith("@" + VENDOR[prod]):
                e("vendor email labelled %s" % em)
        for em in set(re.findall(EMAIL_RE, text)):
            if em.lower().endswith(VENDOR[prod]) or em in y["emails"]:
                continue
            w("email-like %s not labelled" % em)
        for k in ("user_email", "recipient_email"):
            if k in y["identifiers"] and y["identifiers"][k] not in y["emails"]:
                e("%s not in emails" % k)
        # secrets
        for s in y["secrets"]:
            if s not in text:
                e("secret not in text: %s" % s[:16])
        for pat in (FULLKEY_RE[prod], JWT_RE, WHSEC_RE):
            for m in re.findall(pat, text):
                if m not in y["secrets"]:
                    e("unlabelled secret-like %s..." % m[:16])
        if "api_key_prefix" in y["identifiers"]:
            for s in y["secrets"]:
                if s.startswith(y["identifiers"]["api_key_prefix"][:8]) and not s.startswith(
                    y["identifiers"]["api_key_prefix"]
                ):
                    e("prefix does not match pasted key")
        # missing consistency
        miss = set(y["missing"])
        vocab = {TENANT[prod], "time_window", "error_details", "action"}
        if miss - vocab:
            e("bad missing %s" % (miss - vocab))
        has_tenant = TENANT[prod] in y["identifiers"] or (
            prod == "lumen" and "workspace_name" in y["identifiers"]
        )
        if has_tenant == (TENANT[prod] in miss):
            e("tenant id vs missing inconsistent")
        if "error_code" in y["identifiers"] and "error_details" in miss:
            e("error_code but error_details missing")
        if (y["action"] is None) != ("action" in miss):
            e("action vs missing inconsistent")
        tm = y["time"]
        if (tm["kind"] == "none") != ("time_window" in miss):
            e("time vs missing inconsistent")
        # time
        if set(tm) != {"kind", "start", "end", "granularity"}:
            e("time keys")
        if tm["kind"] == "none":
            if any(tm[k] is not None for k in ("start", "end", "granularity")):
                e("none time with values")
        else:
            if tm["granularity"] not in ("hour", "day"):
                e("granularity")
            st = ts(tm["start"])
            if st > recv:
                e("start after received_at")
            if tm["granularity"] == "day" and st.time() != dt.time(0):
                e("day start not midnight")
            if tm["kind"] == "onset" and tm["end"] != t["received_at"]:
                e("onset end != received_at")
            if tm["kind"] == "point" and tm["end"] is not None:
                e("point end not null")
            if tm["kind"] == "range":
                en = ts(tm["end"])
                if en < st or en > recv:
                    e("range end")
                if tm["granularity"] == "day" and en.time() != dt.time(0):
                    e("day end not midnight")
            if tm["kind"] not in ("onset", "point", "range"):
                e("time kind")
        if y["language"] not in LANG_TARGET:
            e("language")
        if y["problem_type"] not in PTYPES[prod]:
            e("problem_type %s" % y["problem_type"])
        for k in ("action", "expected", "actual"):
            if y[k] is not None and not isinstance(y[k], str):
                e(k)
        if not y["notes"]:
            w("no notes")
        # counts
        c["language"][y["language"]] += 1
        c["channel"][t["channel"]] += 1
        c["problem_type"][y["problem_type"]] += 1
        c["time"][tm["kind"]] += 1
        for m in y["missing"]:
            c["missing"][m] += 1
        f = c["feature"]
        f["vague (action+error_details missing)"] += {"action", "error_details"} <= miss
        f["cross_tenant"] += y["cross_tenant"]
        f["with secrets"] += bool(y["secrets"])
        f["forwarded"] += y["forwarded"]
        f["html body"] += bool(re.search(r"<(p|div|br|html)\b", t["body"]))
        f["quoted reply history"] += bool(re.search(QUOTE_RE, t["body"]))
        f["thread"] += "thread" in t
        f["2+ emails"] += len(y["emails"]) >= 2
    for lang, nwant in LANG_TARGET.items():
        if c["language"][lang] != nwant:
            ERR.append("%s: %s count %d != %d" % (prod, lang, c["language"][lang], nwant))
    if len(rows) != 60:
        ERR.append("%s: %d tickets" % (prod, len(rows)))
    return c


def main():
    out = {}
    for prod in ("lumen", "kestrel"):
        with open(os.path.join(HERE, prod + ".jsonl"), encoding="utf-8") as fh:
            rows = [json.loads(l) for l in fh if l.strip()]
        out[prod] = check(prod, rows)
    for prod, c in out.items():
        print("==", prod)
        for k in ("language", "channel", "problem_type", "time", "missing", "feature"):
            print("  %-13s %s" % (k, dict(sorted(c[k].items()))))
    for m in WARN:
        print("WARN", m)
    for m in ERR:
        print("ERROR", m)
    print("%d errors, %d warnings" % (len(ERR), len(WARN)))
    sys.exit(1 if ERR else 0)


if __name__ == "__main__":
    main()
