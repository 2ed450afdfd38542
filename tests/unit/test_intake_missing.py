"""What the intake flags as missing: an action is any statement of what the requester was doing
(a named product thing will do, in any language), never another party's deed nor a plea for help;
error details include quoted status strings and any HTTP status the customer quotes."""

from __future__ import annotations

import pytest
from intake_reading import KESTREL, LUMEN, read

from services.intake.vocabulary import IntakeVocabulary


@pytest.mark.parametrize(
    ("vocabulary", "body"),
    [
        (LUMEN, "vorremmo ridurre le postazioni del nostro abbonamento da 25 a 15."),
        (LUMEN, "Os envios em lote de eventos devolvem erro desde as 9h."),
        (KESTREL, "Sinds gisteren krijgen we voor alle KPN-ontvangers een bounce."),
        # what stopped happening is a symptom too
        (LUMEN, 'Our iOS "signup_completed" events stopped showing up in Lumen yesterday around 4pm.'),
        # the HTTP status the thing answered is its symptom
        (LUMEN, "Seit heute Morgen bekommen wir von /v2/query für die Auswertung nur noch 400 zurück."),
    ],
)
def test_a_named_product_thing_states_the_action(vocabulary: IntakeVocabulary, body: str) -> None:
    section = read(vocabulary, body, subject="Hilfe")
    assert section.action
    assert "action" not in section.missing


@pytest.mark.parametrize(
    ("vocabulary", "integration", "action"),
    [(KESTREL, "Zapier", "Zapier"), (LUMEN, "Zapier", None), (KESTREL, "Salesforce", None)],
)
def test_a_failing_integration_is_the_action_only_in_the_domain_that_has_it(
    vocabulary: IntakeVocabulary, integration: str, action: str | None
) -> None:
    # the engine knows no product's integrations: Zapier is one of the mail product's, not the
    # analytics product's, so only there does "Zapier keeps failing" say what was being used
    section = read(vocabulary, f"{integration} keeps failing since this morning, nothing else changed.")
    assert section.action == action
    assert ("action" in section.missing) is (action is None)


@pytest.mark.parametrize(
    "body",
    [
        "Bei uns geht gar nichts mehr. An wen kann ich mich da wenden?",
        "It is broken again. Can you check?",
        "Nada funciona. ¿Pueden revisarlo, por favor?",
        "It's playing up again. Give me a ring when you get a moment, I'm in until 4.",
        # "al" is the Spanish "when …ing" only before an infinitive: not the Dutch "already", the
        # Italian "at the (number)", the Spanish "per (month)"
        "salve, devo parlare con qualcuno per il nostro account. potete richiamarmi al 348 555 1290?",
        "hoi, lukt al een tijdje niet meer. kunnen jullie even kijken?",
        "Something is off with our numbers. Can we have a quick call about it tomorrow?",
        # a slowness said of everything or of the product itself names nothing being done
        "todo va lentísimo en lumen desde el lunes, ¿es cosa vuestra?",
        "Moin, alles zäh wie Kaugummi. Liegt das an euch?",
        "Lumen has become painfully slow for my whole team.",
    ],
)
def test_a_plea_for_help_is_no_action(body: str) -> None:
    assert "action" in read(LUMEN, body, subject="Hilfe").missing


def test_a_slow_thing_beside_what_works_is_the_action() -> None:
    section = read(
        LUMEN,
        "zoom/slack are all snappy, but everything is crawling. opening a saved dashboard takes 40 sec.",
    )
    assert "action" not in section.missing and "slack" not in (section.action or "")


def test_al_with_an_infinitive_states_the_action() -> None:
    assert read(LUMEN, "Al exportar el informe a CSV me sale un error.", subject="Hilfe").action == (
        "exportar el informe a CSV me sale un error"
    )


def test_another_organisations_deed_is_not_the_requesters_action() -> None:
    body = (
        "Lumen is acting up since this morning.\n\n"
        "My contact at Coppernest said you'd share their dashboard setup with us."
    )
    section = read(LUMEN, body, subject="Hilfe")
    assert section.action is None or "coppernest" not in section.action.lower()
    assert "action" in section.missing


@pytest.mark.parametrize(
    "body",
    [
        'Our Snowflake load in ws_ab12cd is stuck at "Queued" since last night.',
        "Die Pipeline hat laut Logs alles gesendet (HTTP 202 für jeden Batch), aber die Events fehlen.",
        "Je clique sur le lien et j'arrive sur une page « Ce lien a expiré ou a déjà été utilisé ».",
        "El error en el log es:\nSMTP Error: Could not connect to SMTP host.",
        # a quoted state of the product, wherever the sentence puts it
        "every export has been sitting on 'Queued' since this morning",
        'mein Export hängt seit gestern bei "Preparing file…", abbrechen geht nicht',
        'Die Domain steht in der Konsole seit Montag unverändert auf „Pending verification".',
        'In console risulta "In attesa" da due giorni.',
        # a code that starts with what went wrong, whatever it ends with
        "la chiave nuova non va, INVALID_API_KEY su tutto",
        # a success status quoted in prose
        "A paginação repete registros a partir da página 3. Status é sempre 200, sem erro.",
        # what the console says, in the customer's language, after its verb
        "Dans la console il est marqué « Désactivé – trop d'échecs consécutifs ».",
        'mas a consola diz "Não é possível remover o último administrador".',
        'il dominio risulta "Record DNS non trovato" per il record SPF.',
        # a code with what went wrong inside it, in a log line
        "W/LumenSDK: batch rejected: 400 INGEST_INVALID_TIMESTAMP (event_time in the future)",
        # a refusal told in the customer's own words
        "nao consigo logar faz umas 2 horas, fala que a senha ta errada mas nao ta.",
        "Quand j'ouvre le tableau de bord il me dit quelque chose comme quoi je n'ai pas les droits.",
        "quando proviamo ad aggiungerlo ci dice che il dominio è già in uso da un altro account.",
        "When I log in it says that my password is wrong.",
        # a state the product says is not so, a refusal word with its ending, a code with NOT_ in it
        'Sinds gisteren staat het return-path van ons verzenddomein op "Niet geverifieerd".',
        'Der Datumsfilter zeigt bei jeder Auswahl nur noch "Ungültiger Zeitraum" an.',
        "estou tentando ativar o SSO e dá SSO_DOMAIN_NOT_VERIFIED.",
        # a shown state of what failed, a check's verdict, an unlisted code in brackets after a failure
        "1 200 adhérents sont passés en « suppressed » dans la console.",
        "The DMARC reports show dkim=fail for 30% of messages from the 21st to the 23rd.",
        "When I try to add the domain I get: Domain could not be added (domain_already_claimed)",
        # unlike a setting's state ("Active"), the outcome shown for the very thing that failed is
        # what the customer saw happen
        'Your dashboard shows the confirmation as "delivered" but the recipient never got it.',
        "Status im Dashboard steht auf „Zugestellt“, bei der Kundin ist aber nichts angekommen.",
        # a thing's state told after its noun is what the product showed, not the thing's name
        'Stamattina la console dice che il webhook è "disabilitato".',
        # an outcome the product shows, written without quotes
        "The customer never got her invoice. Your log shows it as Delivered at 14:03 UTC.",
        "Die Kundin hat nichts bekommen, in der Konsole steht die Mail auf Zugestellt.",
        # a quoted refusal in words for "cannot"
        "Sinds vanochtend geeft ons dashboard bij elke grafiek 'Widget kan niet worden geladen'.",
        # a refusal saying something is not valid or no longer available
        "Metto il codice a 6 cifre ed esce 'Codice non valido'.",
        "O link abre uma página em branco com a frase «Este painel já não está disponível».",
        # a state it has been sitting at, a success status named by its reason
        'We added the domain on Tuesday and it has been sitting at "Awaiting DNS records" since.',
        "The collector returns 202 Accepted for every batch, but the events never show up.",
        # a success status told as what every call returned
        "I watched the network tab and /v1/track returns 200 every single time, yet the board shows 982.",
        "i dati arrivano con due ore di ritardo. Nessun errore nelle risposte, tutte 202.",
        # a line set apart below the words that introduce it, telling a failure or a state
        "Desde ayer la sincronización falla con este mensaje:\n\n  Snowflake: Incorrect username or password was specified.\n\nSaludos",
        "Nel log l'ultima risulta:\n\n  suppressed — recipient on suppression list (hard bounce on 14/10)\n",
        # a failing status with its quoted reason
        'Since the move every webhook ends in 400 "signature mismatch" in our logs.',
    ],
)
def test_a_quoted_status_or_message_is_an_error_detail(body: str) -> None:
    for vocabulary in (LUMEN, KESTREL):
        assert "error_details" not in read(vocabulary, body, subject="Hilfe").missing


@pytest.mark.parametrize(
    ("vocabulary", "body"),
    [
        (LUMEN, 'The dashboard "Revenue by region" in ws_ab12cd loads very slowly since Monday.'),
        # a control's name and the scope's name are named, not shown as what went wrong
        (LUMEN, 'Nella pagina Fatturazione il pulsante "Modifica postazioni" è grigio.'),
        (
            LUMEN,
            'Nieuwe collega\'s krijgen de rol Viewer in plaats van Editor. Workspace "Zorgdata Zeeland".',
        ),
        # a product thing's quoted name after its noun is named, even where something is shown
        (LUMEN, 'Seit gestern zeigt der Funnel "Anmeldung" bei Schritt 2 nur noch 0 an.'),
        (KESTREL, 'Since the deploy the preview shows the template "Order shipped" with an empty body.'),
        # a quoted event type's name is what a webhook sends, not a state the product showed
        (KESTREL, 'Seit gestern bekommt unser Webhook keine „opened"-Events mehr.'),
        (KESTREL, "Notre webhook reçoit chaque événement « bounced » deux fois depuis hier."),
        # a template's own text is what recipients see, not what the product said
        (
            KESTREL,
            'Since 9:20 the emails people get literally say "Hi {{ first_name }}," with the curly braces and all.',
        ),
        # an id in quotes is an id, not a message ("the DPA template has "org_12345678" as a placeholder")
        (
            KESTREL,
            'The DPA template on your legal page has "org_12345678" in Annex 1. Do we just replace it?',
        ),
    ],
)
def test_a_quoted_name_is_no_error_detail(vocabulary: IntakeVocabulary, body: str) -> None:
    assert "error_details" in read(vocabulary, body, subject="Hilfe").missing


@pytest.mark.parametrize(
    "body",
    [
        # the customer says nothing shows an error: the status a spinner shows is the symptom
        'La integración no sincroniza desde el lunes. No aparece ningún error, solo "Sincronizando..." infinito.',
        'Der Export bleibt seit gestern bei "Preparing file", es kommt keine Fehlermeldung.',
        # a status that says all is well is what the customer checked
        'Our Slack alerts stopped since Monday. The alert rules still show as "Active".',
        # a quoted time stamp says when, not what went wrong
        'Salesforce stopped syncing; the last successful sync says "lunes 07:45".',
        # a line set apart that tells no failure (a DNS record) is no message
        "We added the record on Friday:\n\n  bounce.example-shop.com.  CNAME  rp.example.net.\n\nStill pending?",
        # a count the query returned is data, not a status
        "Die Abfrage liefert 200 Zeilen statt 3000, seit Montag.",
        "The funnel returns 250 users for step 2 although 900 signed up.",
    ],
)
def test_what_shows_no_failure_is_no_error_detail(body: str) -> None:
    assert "error_details" in read(LUMEN, body, subject="Hilfe").missing


def test_a_symptom_alone_is_no_error_detail() -> None:
    assert (
        "error_details"
        in read(LUMEN, "The dashboards in ws_ab12cd are very slow since Monday.", subject="Hilfe").missing
    )


def test_what_someone_says_that_is_no_refusal_is_no_error_detail() -> None:
    body = "My manager says that we should write to you. The dashboards in ws_ab12cd are slow."
    assert "error_details" in read(LUMEN, body, subject="Hilfe").missing


def test_a_phone_number_in_a_signature_is_no_http_status() -> None:
    body = "Our reminders land in Junk at Outlook since Monday.\n\nRosa Jimenez\nPractice Manager\n(503) 555-0148"
    assert "error_details" in read(KESTREL, body, subject="Junk").missing
    # a status in brackets is still one
    assert (
        "error_details" not in read(KESTREL, "Every send fails (503) since Monday.", subject="Hilfe").missing
    )


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (
            "devo togliere i permessi di admin a un collega (usr_pf3k8m)\nworkspace Ortoverde Marketing",
            "Ortoverde Marketing",
        ),
        ("Please check the workspace settings for us.", None),
        ("Il dashboard nel workspace Operazioni è lentissimo da tre giorni.", "Operazioni"),
        ("nos dashboards dans le workspace Marketing BeLux mettent 30 secondes", "Marketing BeLux"),
        ('The sync is red since Friday. Workspace is "Orchard Sales" if they ask.', "Orchard Sales"),
        ("Seit heute komme ich nicht mehr rein. Workspace ist Rheinwerk Marketing.", "Rheinwerk Marketing"),
        ('I invited my colleague Ana to our "Marketing Ops" workspace as an Editor.', "Marketing Ops"),
        (
            "Sem heeft de uitnodiging voor onze workspace Marketing NL geaccepteerd maar ziet niets.",
            "Marketing NL",
        ),
        ("Our workspace Settings page is broken since Monday.", None),
        ("Pourriez-vous nous donner un accès à notre espace Lumen ?", None),  # the product's own name
        # a title-cased name ending in a common word, a quoted name a few words on, a slug
        ("the Export button in our Growth Team workspace is greyed out", "Growth Team"),
        ("our team workspace is slow since Monday", None),
        ('Account is acc_ab6el1, the workspace we actually use is "Harbour Ops".', "Harbour Ops"),
        ("no sale ningún error. workspace: ventas-online-es. mi compañero también", "ventas-online-es"),
        ("dashboards in our workspace (growth-analytics) are crawling since saturday", "growth-analytics"),
        ("locked out since 2pm. workspace is app.lumen.example/w/quayside-retail. help", "quayside-retail"),
        # a label and a colon, a name in brackets, a naming verb in French
        ("Grazie per l'aiuto.\n\nWorkspace: Pieve Vendite\n\nSaluti", "Pieve Vendite"),
        ("el informe tarda 45 segundos en nuestro workspace (Analítica Producto).", "Analítica Producto"),
        ("L'espace de travail s'appelle « Vauban Commerce ».", "Vauban Commerce"),
        # a slug or a name after a naming verb; a hyphenated word is no slug
        ("everything is crawling. workspace is lakeshore-growth if that matters.", "lakeshore-growth"),
        ("the workspace is read-only since this morning", None),
        ("je fais comment ? l'espace c'est Atelier Sillon, c'est eux qui m'ont invité.", "Atelier Sillon"),
        ('O espaço de trabalho chama-se "Loja Online PT".', "Loja Online PT"),
    ],
)
def test_a_scope_named_after_its_word_is_the_scope(body: str, name: str | None) -> None:
    section = read(LUMEN, body)
    assert section.identifiers.get("workspace_name") == name
    assert ("workspace_id" in section.missing) is (name is None)


@pytest.mark.parametrize(
    ("body", "actual"),
    [
        (
            'Since 9:00 the export fails. The page says "Export fehlgeschlagen (INTERNAL_ERROR)".',
            "Export fehlgeschlagen (INTERNAL_ERROR)",
        ),
        (
            "Our batch uploads to /v2/events/batch return HTTP 413 with BATCH_TOO_LARGE since 9:00.",
            "413 BATCH_TOO_LARGE",
        ),
        # a success status is what the customer checked, not what went wrong: their clause is
        (
            "Since Monday the dashboard shows half the orders. The API status is always 202.",
            "Since Monday the dashboard shows half the orders.",
        ),
    ],
)
def test_what_happened_is_the_shown_message_or_code(body: str, actual: str) -> None:
    assert read(LUMEN, body).actual == actual


def test_without_a_message_what_happened_is_the_customers_clause() -> None:
    section = read(LUMEN, "Since Monday the dashboards in ws_ab12cd stay blank.")
    assert section.actual and "blank" in section.actual


@pytest.mark.parametrize(
    ("vocabulary", "body"),
    [
        (KESTREL, "We stoppen eind december. Kunnen jullie ons vooraf alle facturen van dit jaar sturen?"),
        (LUMEN, "Could you send us a full export of our events from last year?"),
        # what the requester asks whether they may do, whatever it names
        (
            KESTREL,
            "Our DPO asks where logs are stored. Do you have an EU region, and can we move our org to it?",
        ),
        (KESTREL, "Voor de audit moet ik dat aantonen. En kunnen we de bewaartermijn zelf korter zetten?"),
    ],
)
def test_what_a_request_without_trouble_asks_for_is_its_action(
    vocabulary: IntakeVocabulary, body: str
) -> None:
    section = read(vocabulary, body, subject="Vraag")
    assert section.action
    assert "action" not in section.missing


def test_what_a_cross_tenant_ticket_asks_for_is_its_action() -> None:
    body = (
        "I consult for Halvard Foods; their workspace is ws_hv0091. "
        "Could you export their user list and send it to me?"
    )
    section = read(LUMEN, body)
    assert section.cross_tenant
    assert section.action and "export" in section.action
    assert "action" not in section.missing


def test_a_closing_plea_leaves_the_rest_of_its_sentence_the_action() -> None:
    section = read(KESTREL, "We hit our daily quota every day now, can we upgrade?", subject="Quota")
    assert section.action and "quota" in section.action.lower()


def test_a_pasted_response_is_neither_the_action_nor_its_keys_messages() -> None:
    body = (
        "Depuis hier vers 17h notre script d'ingestion se prend des 403.\n\n"
        '>>> 403 {"error":{"code":"PERMISSION_DENIED","message":"Key lacks scope events:write"}}\n'
    )
    section = read(LUMEN, body)
    assert section.action is not None and not section.action.startswith(">>>")
    messages = [s.value for s in section.error_signatures if s.kind == "message"]
    assert "Key lacks scope events:write" in messages
    assert not {"error", "code", "message"} & set(messages)


def test_pasted_code_is_neither_the_action_nor_its_values_messages_nor_its_calls_identifiers() -> None:
    body = (
        "Since our deploy every call to POST /v3/messages gets a 422. Our Node code:\n\n"
        "const res = await kestrel.messages.send({\n  to: user.email,\n  subject: 'Your receipt',\n"
        "  sender: 'receipts@mail.example-shop.com'\n});\n\n"
        'Response:\n{"error":{"type":"missing_required_field","message":"Field \'from\' is required."}}\n'
    )
    section = read(KESTREL, body)
    assert "const" not in (section.action or "")
    messages = [s.value for s in section.error_signatures if s.kind == "message"]
    assert "Your receipt" not in messages and "receipts@mail.example-shop.com" not in messages
    assert section.identifiers.get("sending_domain") != "kestrel.messages.send"


def test_a_pasted_payloads_data_values_and_keys_are_neither_messages_nor_codes() -> None:
    body = (
        "Since last night every delivered event reaches our webhook three times. One of them:\n\n"
        '{"type":"delivered","message_id":"01M85H5VT0WCH66AEM0XKQA2RN","timestamp":"2026-11-24T01:02:07Z"}\n'
    )
    section = read(KESTREL, body)
    assert not section.error_signatures
    assert "error_details" in section.missing
    # an error body's message is what the product said; its keys are no codes
    failed = read(
        KESTREL,
        "Every send fails since 9:00:\n"
        '{"error":{"type":"invalid_api_key","message":"API key not recognized","request_id":"req_1a2b3c"}}',
    )
    shown = {(s.kind, s.value) for s in failed.error_signatures}
    assert ("message", "API key not recognized") in shown
    assert not {value for kind, value in shown if value in ("request_id", "type", "message")}


def test_a_ticket_whose_only_thing_is_the_product_itself_states_no_action() -> None:
    assert "action" in read(KESTREL, "emails not working again. pls advise", subject="chat").missing
    told = read(KESTREL, "customer says she never got her confirmation email since Monday", subject="chat")
    assert "action" not in told.missing


@pytest.mark.parametrize(
    ("vocabulary", "body", "kept"),
    [
        (
            LUMEN,
            "Seit Montag werden unsere nächtlichen SFTP-Importe nicht mehr verarbeitet.",
            "nicht mehr verarbeitet",
        ),
        (LUMEN, "Depuis ce matin, le tableau de bord « Ventes » n'affiche plus rien.", "n'affiche plus rien"),
        (KESTREL, "Buchungsbestätigungen an Gäste mit Yahoo-Adresse kommen seit heute nicht an.", "nicht an"),
    ],
)
def test_a_sentence_told_as_the_action_keeps_its_negation(
    vocabulary: IntakeVocabulary, body: str, kept: str
) -> None:
    """The customer's own sentence about the trouble, taken whole as the action, says what they said:
    "werden … nicht mehr verarbeitet" is not "werden … verarbeitet"."""
    action = read(vocabulary, body, subject="Hilfe").action
    assert action and kept in action
