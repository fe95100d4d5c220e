"""The OpenAPI 3 description of the widget's HTTP API, served at /api/openapi.json.

Hand-written: the API is small and this is its contract. tests/test_web_api.py checks that every
/api route is described and that the examples match what the app really answers.
"""
from __future__ import annotations

from typing import Any, Dict, Mapping

from groupinsurance import uploads
from groupinsurance.claims import DocumentKind
from groupinsurance.handoff import MAX_MESSAGE_ID


def _error_response(description: str, example_code: str, example_message: str) -> Dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
                "example": {"error": {"code": example_code, "message": example_message, "retryable": False}},
            }
        },
    }


def openapi_document(config: Mapping[str, Any]) -> Dict[str, Any]:
    max_length = config.get("MAX_MESSAGE_LENGTH", 1000)
    timeout = config.get("RASA_TIMEOUT", 15.0)
    upload_max = config.get("UPLOAD_MAX_BYTES", uploads.MAX_BYTES)
    reference_param = {
        "name": "reference", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "The claim's reference ('PC-7K3Q9M'); typed forms are accepted (lower case, O for 0, I or L for 1).",
    }
    login_required = {
        "description": "Nobody is logged in. `login_url` leads to the login page and back.",
        "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/LoginRequired"},
            "example": {"error": {"code": "login_required", "message": "Log eerst in: u kunt enkel documenten "
                                  "toevoegen aan uw eigen aanvraag.", "retryable": False},
                        "login_url": "/auth/login?next=/"},
        }},
    }
    unknown_claim = _error_response(
        "No claim of the logged-in person has this reference (someone else's claim answers the same).",
        "unknown_claim", "U hebt geen aanvraag met deze referentie.")
    not_your_conversation = _error_response(
        "The conversation belongs to another logged-in person.", "not_your_conversation",
        "Dit gesprek hoort bij iemand anders. Begin een nieuw gesprek.")
    too_many_requests = _error_response(
        "Too many requests from this address in a short time (`retryable` is true).", "too_many_requests",
        "Te veel verzoeken op korte tijd. Wacht even en probeer het opnieuw.")
    body_too_large = _error_response(
        "The request body is larger than the app reads at all.", "request_too_large", "De vraag is te groot.")
    conversation_param = {
        "name": "conversation_id", "in": "path", "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
        "description": "The widget's conversation id (as sent to POST /api/chat).",
    }
    lang_param = {
        "name": "lang", "in": "query", "required": False,
        "description": "Language of the answer; default: the browser's Accept-Language, then nl.",
        "schema": {"$ref": "#/components/schemas/Language"},
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Group insurance assistant: widget API",
            "version": "1.0.0",
            "description": (
                "What the chat widget calls. The browser never talks to Rasa: POST /api/chat forwards the "
                "message server-side to Rasa's REST channel with the conversation id and the language. "
                "Every error is JSON with a message translated into the request's language (the `lang` "
                "field or parameter, else the Accept-Language header, else Dutch)."
            ),
        },
        "servers": [{"url": "/", "description": "The web app itself (http://127.0.0.1:5000 by default)"}],
        "paths": {
            "/api/chat": {
                "post": {
                    "operationId": "chat",
                    "summary": "Send a person's message (or a button's payload) and get the assistant's messages",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ChatRequest"},
                                "examples": {
                                    "question": {"value": {
                                        "conversation_id": "3f2b8c1e9a4d4e0f8b7a6c5d4e3f2a1b",
                                        "message": "Kan mijn werknemer weigeren die website te gebruiken?",
                                        "lang": "nl"}},
                                    "button": {"value": {
                                        "conversation_id": "3f2b8c1e9a4d4e0f8b7a6c5d4e3f2a1b",
                                        "message": "/show_topic{\"topic\": \"faq:7\"}",
                                        "lang": "fr"}},
                                },
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The assistant's messages, in order (possibly none).",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/ChatReply"},
                                "example": {"messages": [{
                                    "text": "Net zoals uw werknemer niet verplicht is om het papieren benefit statement te lezen, ...",
                                    "source": {"kind": "faq", "id": "7", "url": "/knowledge/faq/7"},
                                }]},
                            }},
                        },
                        "400": _error_response(
                            "Not JSON, a field missing or of the wrong type, an empty message, an unknown "
                            "language (`error.field` names the field).",
                            "invalid_field", "De taal moet ‘nl’ of ‘fr’ zijn."),
                        "413": _error_response(
                            f"The message is longer than {max_length} characters, or the request body is too large.",
                            "message_too_long", f"Uw vraag is te lang: hoogstens {max_length} tekens."),
                        "415": _error_response("The request is not sent as application/json.",
                                               "unsupported_media_type", "Stuur de vraag als JSON (Content-Type: application/json)."),
                        "502": _error_response("Rasa answered with an error, or with nothing to show (an action failed). Retry.",
                                               "assistant_error",
                                               "De assistent kon niet antwoorden. Probeer het opnieuw."),
                        "503": _error_response("Rasa cannot be reached (or the database is unavailable: "
                                               "`service_unavailable`). Retry later.", "assistant_unavailable",
                                               "De assistent is nu niet beschikbaar. Probeer het zo meteen opnieuw."),
                        "504": _error_response(f"Rasa did not answer within {timeout:g} s. Retry.", "assistant_timeout",
                                               "De assistent doet er te lang over om te antwoorden. Probeer het opnieuw."),
                        "403": not_your_conversation,
                        "429": too_many_requests,
                    },
                }
            },
            "/api/claims/{reference}": {
                "get": {
                    "operationId": "claim",
                    "summary": "One of the logged-in person's payout claims: its status, its documents and the documents still missing",
                    "parameters": [reference_param, lang_param],
                    "responses": {
                        "200": {"description": "Document names in the request's language.",
                                "content": {"application/json": {
                                    "schema": {"$ref": "#/components/schemas/ClaimDocuments"},
                                    "example": {"reference": "PC-7K3Q9M", "status": "draft", "reason": "retirement",
                                                "missing": [{"kind": "proof_of_life", "label": "Bewijs van leven", "article": "16.7"}],
                                                "documents": [{"kind": "identity_card", "label": "Identiteitskaart (recto-verso)",
                                                               "name": "identiteitskaart.pdf"}]},
                                }}},
                        "401": login_required,
                        "404": unknown_claim,
                    },
                }
            },
            "/api/claims/{reference}/documents": {
                "post": {
                    "operationId": "uploadClaimDocument",
                    "summary": "Add a document (PDF, JPEG or PNG) to one of the logged-in person's claims",
                    "description": (
                        "Only while the claim is a draft or submitted. The type is decided by the file's content, "
                        "never by its name. The request must carry the header `X-Requested-With: GroupInsuranceChat` "
                        "(a cross-site form cannot send it, and it makes browsers ask first with a CORS preflight)."
                    ),
                    "parameters": [
                        reference_param, lang_param,
                        {"name": "X-Requested-With", "in": "header", "required": True,
                         "schema": {"type": "string", "enum": ["GroupInsuranceChat"]}},
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"multipart/form-data": {
                            "schema": {
                                "type": "object", "required": ["kind", "file"],
                                "properties": {
                                    "kind": {"$ref": "#/components/schemas/DocumentKind"},
                                    "file": {"type": "string", "format": "binary",
                                             "description": f"PDF, JPEG or PNG, at most {upload_max} bytes."},
                                    "lang": {"$ref": "#/components/schemas/Language"},
                                },
                            },
                            "encoding": {"file": {"contentType": "application/pdf, image/jpeg, image/png"}},
                        }},
                    },
                    "responses": {
                        "201": {"description": "Received. `missing` lists the documents the claim still needs.",
                                "content": {"application/json": {
                                    "schema": {"$ref": "#/components/schemas/DocumentReceived"},
                                    "example": {"document": {"kind": "identity_card", "label": "Identiteitskaart (recto-verso)",
                                                             "name": "identiteitskaart.pdf"},
                                                "missing": [{"kind": "proof_of_life", "label": "Bewijs van leven", "article": "16.7"}],
                                                "reference": "PC-7K3Q9M"},
                                }}},
                        "400": _error_response(
                            "`kind` or `file` missing, a kind this claim cannot receive, an empty file, or a file "
                            "that is not a PDF, JPEG or PNG (`error.field` names the field).",
                            "unsupported_file_type", "Enkel PDF-, JPEG- of PNG-bestanden worden aanvaard."),
                        "401": login_required,
                        "403": _error_response("The header X-Requested-With is missing.", "missing_header",
                                               "Deze vraag moet van de chatwidget komen (de header X-Requested-With ontbreekt)."),
                        "404": unknown_claim,
                        "409": _error_response("The claim is no longer a draft or submitted (being processed, paid or withdrawn).",
                                               "claim_closed", "Aan deze aanvraag kunnen geen documenten meer toegevoegd worden."),
                        "413": _error_response(f"The file is larger than {upload_max} bytes.", "file_too_large",
                                               "Het bestand is groter dan 10 MB."),
                    },
                }
            },
            "/api/chat/{conversation_id}/messages": {
                "get": {
                    "operationId": "colleagueMessages",
                    "summary": "What colleagues (and the system) wrote after message `after`, while a colleague has the conversation",
                    "parameters": [
                        conversation_param,
                        {"name": "after", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 0, "maximum": MAX_MESSAGE_ID},
                         "description": "The `last_id` (or `handoff.after`) the widget saw last; default 0."},
                        lang_param,
                    ],
                    "responses": {
                        "200": {"description": "The conversation's state and the colleagues' and system's messages after `after`. "
                                               "A conversation the app does not know yet answers `state: assistant` and no messages.",
                                "content": {"application/json": {
                                    "schema": {"$ref": "#/components/schemas/ColleagueMessages"},
                                    "example": {"state": "assigned", "last_id": 42, "rating": None,
                                                "messages": [{"id": 42, "author": "staff", "text": "Goedemiddag, ik bekijk uw vraag."}]},
                                }}},
                        "400": _error_response("Not a conversation id, or `after` not a message number (`error.field` names it).",
                                               "invalid_field", "‘after’ moet een berichtnummer zijn."),
                        "403": not_your_conversation,
                    },
                }
            },
            "/api/chat/{conversation_id}/rating": {
                "post": {
                    "operationId": "rateConversation",
                    "summary": "The person's 1-5 satisfaction score after a colleague closed the conversation",
                    "parameters": [conversation_param, lang_param],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"type": "object", "required": ["score"],
                                   "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 5},
                                                  "lang": {"$ref": "#/components/schemas/Language"}}},
                        "example": {"score": 4, "lang": "nl"}}}},
                    "responses": {
                        "200": {"description": "The score is stored (a new score replaces the previous one).",
                                "content": {"application/json": {
                                    "schema": {"type": "object", "required": ["rating"],
                                               "properties": {"rating": {"type": "integer", "minimum": 1, "maximum": 5}}},
                                    "example": {"rating": 4}}}},
                        "400": _error_response("The score is not a whole number from 1 to 5 (`error.field` is `score`).",
                                               "invalid_field", "De score moet een geheel getal van 1 tot 5 zijn."),
                        "403": not_your_conversation,
                        "409": _error_response("The conversation is unknown or not closed.", "not_closed",
                                               "Dit gesprek kan nu niet beoordeeld worden."),
                        "413": body_too_large,
                    },
                }
            },
            "/api/session": {
                "get": {
                    "operationId": "session",
                    "summary": "Whether someone is logged in (the widget starts a new conversation when `login_id` changes)",
                    "responses": {"200": {
                        "description": "Never the national number. `first_name` is null for someone the insurer does not know.",
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Session"},
                            "example": {"logged_in": True, "login_id": "Jw3dX0m8k1Qf2Zb7", "first_name": "Jan"},
                        }},
                    }},
                }
            },
            "/api/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Is the web app up, and does Rasa answer?",
                    "responses": {"200": {
                        "description": "Always 200 while the web app runs; `rasa` and `database` say whether they answer.",
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Health"},
                            "example": {"status": "ok", "web": "up", "rasa": "up", "database": "up"},
                        }},
                    }},
                }
            },
            "/api/i18n/{lang}": {
                "get": {
                    "operationId": "widgetStrings",
                    "summary": "The widget's UI strings in one language, from the gettext catalogs",
                    "parameters": [{"name": "lang", "in": "path", "required": True,
                                    "schema": {"$ref": "#/components/schemas/Language"}}],
                    "responses": {
                        "200": {"description": "UI strings by key; `{placeholders}` are filled in by the widget.",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WidgetStrings"}}}},
                        "404": _error_response("Not a supported language.", "unknown_language", "De taal moet ‘nl’ of ‘fr’ zijn."),
                    },
                }
            },
            "/api/knowledge/{kind}/{id}": {
                "get": {
                    "operationId": "knowledgeEntry",
                    "summary": "A FAQ, an article of the general conditions (with its sub-articles) or a definition, as JSON",
                    "parameters": [
                        {"name": "kind", "in": "path", "required": True,
                         "schema": {"type": "string", "enum": ["faq", "article", "definition"]}},
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
                         "description": "FAQ number ('7'), article number ('15.1') or definition id ('acquired-reserve')"},
                        lang_param,
                    ],
                    "responses": {
                        "200": {"description": "The entry's text and legal notes.",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KnowledgeEntry"}}}},
                        "400": _error_response("`lang` is not nl or fr.", "invalid_field", "De taal moet ‘nl’ of ‘fr’ zijn."),
                        "404": _error_response("No such entry.", "not_found", "Er bestaat geen zo'n FAQ, artikel of begrip."),
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3 document",
                                          "content": {"application/json": {"schema": {"type": "object"}}}}},
                }
            },
        },
        "components": {
            "schemas": {
                "Session": {
                    "type": "object",
                    "required": ["logged_in", "login_id"],
                    "properties": {
                        "logged_in": {"type": "boolean"},
                        "login_id": {"type": "string", "nullable": True, "description": "Changes with every login; null when logged out."},
                        "first_name": {"type": "string", "nullable": True},
                        "login_url": {"type": "string", "description": "Only when logged out."},
                    },
                },
                "Language": {"type": "string", "enum": ["nl", "fr"],
                             "description": "Dutch or French; 'nl-BE', 'fr_BE' and the like are accepted too."},
                "ChatRequest": {
                    "type": "object",
                    "required": ["conversation_id", "message", "lang"],
                    "properties": {
                        "conversation_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$",
                                            "description": "Chosen by the widget (a random id) and kept for the whole conversation; sent to Rasa as the sender."},
                        "message": {"type": "string", "minLength": 1, "maxLength": max_length,
                                    "description": "What the person typed, or the `payload` of the button they picked."},
                        "lang": {"$ref": "#/components/schemas/Language"},
                    },
                },
                "ChatReply": {
                    "type": "object", "required": ["messages"],
                    "properties": {"messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
                                   "handoff": {"$ref": "#/components/schemas/Handoff"}},
                },
                "Handoff": {
                    "type": "object", "required": ["state", "open", "wait_minutes", "after"],
                    "description": "Only while a colleague has (or is about to take) the conversation: the "
                                   "widget then polls GET /api/chat/{conversation_id}/messages?after=`after`.",
                    "properties": {"state": {"type": "string", "enum": ["assistant", "waiting", "assigned", "closed"]},
                                   "open": {"type": "boolean", "description": "Whether colleagues are at work now."},
                                   "wait_minutes": {"type": "integer", "minimum": 0},
                                   "after": {"type": "integer", "minimum": 0}},
                },
                "ColleagueMessages": {
                    "type": "object", "required": ["state", "last_id", "messages"],
                    "properties": {
                        "state": {"type": "string", "enum": ["assistant", "waiting", "assigned", "closed"]},
                        "last_id": {"type": "integer", "minimum": 0, "description": "Send it as `after` next time."},
                        "rating": {"type": "integer", "nullable": True, "minimum": 1, "maximum": 5},
                        "messages": {"type": "array", "items": {
                            "type": "object", "required": ["id", "author", "text"],
                            "properties": {"id": {"type": "integer"},
                                           "author": {"type": "string", "enum": ["staff", "system"]},
                                           "text": {"type": "string"}}}},
                    },
                },
                "Message": {
                    "type": "object", "required": ["text"],
                    "properties": {
                        "text": {"type": "string", "description": "Plain text: paragraphs separated by a blank line, list items starting with '- '. Never HTML."},
                        "buttons": {"type": "array", "items": {"$ref": "#/components/schemas/Button"},
                                    "description": "Only when there are any."},
                        "source": {"$ref": "#/components/schemas/Source"},
                        "login_url": {"type": "string", "description": "The assistant needs a login for this: "
                                      "a link to the login page that comes back to the current page."},
                        "upload": {"$ref": "#/components/schemas/Upload"},
                    },
                },
                "Upload": {
                    "type": "object", "required": ["url", "reference", "kinds"],
                    "description": "The assistant asks for a claim's documents: show a form that posts them to `url`.",
                    "properties": {
                        "url": {"type": "string", "description": "POST /api/claims/{reference}/documents for this claim."},
                        "reference": {"type": "string"},
                        "kinds": {"type": "array", "items": {
                            "type": "object", "required": ["kind", "label"],
                            "properties": {"kind": {"$ref": "#/components/schemas/DocumentKind"},
                                           "label": {"type": "string", "description": "The document's name, translated."}},
                        }},
                    },
                },
                "DocumentKind": {"type": "string", "enum": [kind.value for kind in DocumentKind]},
                "Document": {
                    "type": "object", "required": ["kind", "label", "name"],
                    "properties": {"kind": {"$ref": "#/components/schemas/DocumentKind"},
                                   "label": {"type": "string", "description": "The document's name, translated."},
                                   "name": {"type": "string", "description": "The uploaded file's name, made safe."}},
                },
                "MissingDocument": {
                    "type": "object", "required": ["kind", "label", "article"],
                    "properties": {"kind": {"$ref": "#/components/schemas/DocumentKind"},
                                   "label": {"type": "string"},
                                   "article": {"type": "string", "description": "The article of the general conditions that asks for it."}},
                },
                "DocumentReceived": {
                    "type": "object", "required": ["document", "missing", "reference"],
                    "properties": {"document": {"$ref": "#/components/schemas/Document"},
                                   "missing": {"type": "array", "items": {"$ref": "#/components/schemas/MissingDocument"}},
                                   "reference": {"type": "string"}},
                },
                "ClaimDocuments": {
                    "type": "object", "required": ["reference", "status", "reason", "missing", "documents"],
                    "properties": {
                        "reference": {"type": "string"},
                        "status": {"type": "string", "enum": ["draft", "submitted", "in_progress", "paid", "withdrawn"]},
                        "reason": {"type": "string", "enum": ["retirement", "death"]},
                        "missing": {"type": "array", "items": {"$ref": "#/components/schemas/MissingDocument"}},
                        "documents": {"type": "array", "items": {"$ref": "#/components/schemas/Document"}},
                    },
                },
                "LoginRequired": {
                    "allOf": [{"$ref": "#/components/schemas/Error"}],
                    "type": "object", "required": ["error", "login_url"],
                    "properties": {"login_url": {"type": "string"}},
                },
                "Button": {
                    "type": "object", "required": ["title", "payload"],
                    "properties": {"title": {"type": "string"},
                                   "payload": {"type": "string", "description": "Send it back as `message` when the person picks the button."}},
                },
                "Source": {
                    "type": "object", "required": ["kind"],
                    "description": "Where the answer comes from; only on messages that have one. `fallback`: the assistant "
                                   "did not know; `handoff`: a colleague takes over (neither has an id).",
                    "properties": {
                        "kind": {"type": "string", "enum": ["faq", "article", "definition", "fallback", "handoff"]},
                        "id": {"type": "string", "description": "FAQ number, article number or definition id."},
                        "url": {"type": "string", "description": "Path of the knowledge page (add ?lang=nl|fr)."},
                        "term": {"type": "object", "description": "Definitions only: the term in each language.",
                                 "properties": {"nl": {"type": "string"}, "fr": {"type": "string"}}},
                    },
                },
                "Error": {
                    "type": "object", "required": ["error"],
                    "properties": {"error": {
                        "type": "object", "required": ["code", "message", "retryable"], "additionalProperties": False,
                        "properties": {
                            "code": {"type": "string", "description": "Stable, for programs: invalid_json, missing_field, invalid_field, message_too_long, request_too_large, unsupported_media_type, "
                                     "not_your_conversation, not_closed, too_many_requests, assistant_unavailable, assistant_timeout, "
                                     "assistant_error, service_unavailable, internal_error, not_found, unknown_language, login_required, "
                                     "missing_header, unknown_claim, claim_closed, empty_file, unsupported_file_type, file_too_large, ..."},
                            "message": {"type": "string", "minLength": 1, "description": "For people, translated."},
                            "field": {"type": "string", "description": "The request field at fault, where there is one."},
                            "retryable": {"type": "boolean", "description": "True when sending the same request again later may work."},
                        },
                    }},
                },
                "Health": {
                    "type": "object", "required": ["status", "web", "rasa"],
                    "properties": {"status": {"type": "string", "enum": ["ok", "degraded"],
                                              "description": "`degraded` when Rasa or the database does not answer."},
                                   "web": {"type": "string", "enum": ["up"]},
                                   "rasa": {"type": "string", "enum": ["up", "down"]},
                                   "database": {"type": "string", "enum": ["up", "down"]}},
                },
                "WidgetStrings": {
                    "type": "object", "required": ["lang", "locale", "max_message_length", "strings"],
                    "properties": {"lang": {"$ref": "#/components/schemas/Language"},
                                   "locale": {"type": "string", "enum": ["nl-BE", "fr-BE"],
                                              "description": "For dates and amounts (Intl)."},
                                   "max_message_length": {"type": "integer"},
                                   "strings": {"type": "object", "additionalProperties": {"type": "string"}}},
                },
                "KnowledgeEntry": {
                    "type": "object", "required": ["kind", "id", "lang", "title", "text", "notes", "url"],
                    "properties": {"kind": {"type": "string"}, "id": {"type": "string"},
                                   "lang": {"$ref": "#/components/schemas/Language"},
                                   "title": {"type": "string"}, "text": {"type": "string"},
                                   "notes": {"type": "array", "items": {"type": "string"},
                                             "description": "Dated notes where Belgian law changed what the text says."},
                                   "url": {"type": "string", "description": "The knowledge page for people."}},
                },
            }
        },
    }
