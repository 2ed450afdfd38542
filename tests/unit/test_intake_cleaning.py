"""Forwarded messages are the report, quoted history is not, HTML becomes text."""

from __future__ import annotations

import re

import pytest

from services.intake.cleaning import clean_message, html_to_text

FORWARD_HEADERS = [
    # (announcement line, header block) as different mail clients write them
    (
        "---------- Forwarded message ---------",
        "From: Lea Voss <lea@orchard.example>\nDate: Tue, 10 Mar 2026 at 08:12",
    ),
    (
        "-----Original Message-----",
        "From: Lea Voss <lea@orchard.example>\nSent: Tuesday, March 10, 2026 8:12 AM",
    ),
    (
        "-------- Ursprüngliche Nachricht --------",
        "Von: Lea Voss <lea@orchard.example>\nGesendet: Dienstag, 10. März 2026 08:12",
    ),
    (
        "-------- Message d'origine --------",
        "De : Lea Voss <lea@orchard.example>\nEnvoyé : mardi 10 mars 2026 08:12",
    ),
    (
        "---------- Mensaje reenviado ---------",
        "De: Lea Voss <lea@orchard.example>\nFecha: mar, 10 mar 2026 08:12",
    ),
    (
        "---------- Mensagem encaminhada ---------",
        "De: Lea Voss <lea@orchard.example>\nData: ter., 10 de mar. de 2026 às 08:12",
    ),
    (
        "---------- Messaggio inoltrato ---------",
        "Da: Lea Voss <lea@orchard.example>\nData: mar 10 mar 2026 alle ore 08:12",
    ),
    (
        "-------- Doorgestuurd bericht --------",
        "Van: Lea Voss <lea@orchard.example>\nVerzonden: dinsdag 10 maart 2026 08:12",
    ),
    (
        "Début du message réexpédié :",
        "De: Lea Voss <lea@orchard.example>\nDate: 10 mars 2026 à 08:12:00 UTC+1",
    ),
    (
        "",
        "From: Lea Voss <lea@orchard.example>\nSent: Tuesday, March 10, 2026 8:12 AM\nTo: it@orchard.example\nSubject: invoices",
    ),
]


@pytest.mark.parametrize(("announcement", "headers"), FORWARD_HEADERS)
def test_a_forwarded_message_is_kept_as_the_report_with_its_date_and_sender(
    announcement: str, headers: str
) -> None:
    body = f"FYI, see below.\n\n{announcement}\n{headers}\n\nThe invoice PDF download shows a blank page.\n"
    cleaned = clean_message(body)
    assert "blank page" in cleaned.prose
    assert "FYI" in cleaned.own and "blank page" not in cleaned.own
    assert "lea@orchard.example" in cleaned.forwarded_from
    ((offset, sent),) = cleaned.forwarded
    assert cleaned.prose[offset:].startswith("The invoice PDF")
    assert "2026" in sent
    assert announcement.strip("- :") not in cleaned.prose if announcement else True


@pytest.mark.parametrize(
    "header",
    [
        "On Tue, 3 Mar 2026 at 09:15, Support <help@vendor.example> wrote:",
        "Am 03.03.2026 um 09:15 schrieb Support <help@vendor.example>:",
        "Le mar. 3 mars 2026 à 09:15, Support <help@vendor.example> a écrit :",
        "El mar, 3 mar 2026 a las 09:15, Support (<help@vendor.example>) escribió:",
        "Em ter., 3 de mar. de 2026 às 09:15, Support <help@vendor.example> escreveu:",
        "Il giorno mar 3 mar 2026 alle ore 09:15 Support <help@vendor.example> ha scritto:",
        "Op di 3 mrt 2026 om 09:15 schreef Support <help@vendor.example>:",
    ],
)
def test_quoted_history_is_cut_in_every_language(header: str) -> None:
    body = f"It is broken again since this morning.\n\n{header}\n> The old EXPORT_TIMEOUT was fixed on 1 March.\n"
    cleaned = clean_message(body)
    assert "broken again" in cleaned.prose
    assert "EXPORT_TIMEOUT" not in cleaned.prose and not cleaned.forwarded


def test_an_interpreter_prompt_is_not_quoting() -> None:
    body = 'Our script gets a 403 since yesterday:\n\n    r = post(url)\n>>> 403 {"error": "PERMISSION_DENIED"}\n'
    assert "PERMISSION_DENIED" in clean_message(body).prose
    history = 'It fails again.\n\n> Earlier we fixed it.\n>>> 500 {"error": "OLD_ERROR"}\n'
    assert "OLD_ERROR" not in clean_message(history).prose


def test_html_becomes_lines_of_text_with_entities_decoded() -> None:
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Hello&nbsp;team,</p>"
        "<p>the export fails since <b>Monday</b> &amp; today.<br>Error: EXPORT_TIMEOUT</p>"
        "<script>track()</script></body></html>"
    )
    text = html_to_text(html)
    assert "<" not in text and "track" not in text and "color" not in text
    assert "the export fails since Monday & today.\nError: EXPORT_TIMEOUT" in text
    assert "EXPORT_TIMEOUT" in clean_message(html).prose


def test_an_html_tables_cells_stay_apart() -> None:
    text = html_to_text(
        "<table><tr><th>Status</th><th>Count</th></tr><tr><td>429 rate_limit_exceeded</td><td>4.021</td></tr></table>"
    )
    assert re.search(r"Status\s+Count", text)
    assert re.search(r"429 rate_limit_exceeded\s+4\.021", text)


def test_a_links_address_is_kept_after_its_words() -> None:
    # the ids a link's words do not show are in its URL; an address shown as the words is not repeated
    text = html_to_text(
        '<div>Dashboard <a href="https://app.example/w/ws_m8ue2r/d/dsh_v4n6ty">Vertrieb Süd</a> is empty. '
        'Write to <a href="mailto:bo@acme.example">bo@acme.example</a>.</div>'
    )
    assert "Vertrieb Süd (https://app.example/w/ws_m8ue2r/d/dsh_v4n6ty) is empty" in text
    assert text.count("bo@acme.example") == 1


def test_an_html_mails_disclaimer_goes_and_its_report_stays() -> None:
    # HTML paragraphs become lines with no blank line between them: the disclaimer's paragraph is
    # then the whole mail, and only what starts at the disclaimer may go
    body = (
        "<html><body><p>Die Abbuchung am 21.11.2026 ist fehlgeschlagen.</p><p>Konto: acc_k2w9rm.</p>"
        "<p>Mit freundlichen Grüßen<br>Sabine</p><p>Diese E-Mail kann vertrauliche Informationen "
        "enthalten.</p></body></html>"
    )
    prose = clean_message(body).prose
    assert "Abbuchung am 21.11.2026 ist fehlgeschlagen" in prose and "acc_k2w9rm" in prose
    assert "vertrauliche" not in prose


def test_a_string_an_html_mail_sets_apart_reads_as_quoted_but_a_token_does_not() -> None:
    text = html_to_text(
        '<p>Il dominio è fermo su <span style="background:#fff3cd">Pending verification</span>. '
        "Il secret è <code>whsec_YK7VirLh9gTmR35PMDjEAv3hhkgzIUzv</code>.</p>"
    )
    assert "“Pending verification”" in text
    assert "“whsec_" not in text


def test_plain_text_with_angle_brackets_is_not_taken_for_html() -> None:
    body = "The filter a<b and b>c returns nothing; expected rows where value <p95."
    assert clean_message(body).prose == body


def test_markup_pasted_into_a_plain_text_report_stays_as_written() -> None:
    body = 'Actual results:\nThe editor saved this instead:\n<p class="x">Hi<br></p>\nExpected the class to stay.'
    assert '<p class="x">Hi<br></p>' in clean_message(body).prose


@pytest.mark.parametrize(
    "signoff",
    [
        "Com os melhores cumprimentos,",
        "Distinti saluti",
        "Met vriendelijke groeten,",
        "Groetjes",
        "Sent from my iPad",
    ],
)
def test_the_signature_block_under_a_sign_off_is_cut_in_the_added_languages(signoff: str) -> None:
    body = f"The weekly export never arrived.\n\n{signoff}\nMarta Reis\nFinance team\n+351 21 000 0000"
    prose = clean_message(body).prose
    assert "weekly export" in prose and "Finance team" not in prose
