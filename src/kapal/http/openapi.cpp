#include "kapal/http/person_routes.hpp"

namespace kapal::http {

// The API description. Kept beside the handlers it describes; the integration tests lint it
// with Redocly and check that every route the server answers is in it.
const std::string& openapi_document() {
    static const std::string kDocument = R"JSON({
  "openapi": "3.1.0",
  "info": {
    "title": "Kapal Si Geo API",
    "version": "0.1.0",
    "summary": "Registry of persons with disabilities (Kartu Penyandang Disabilitas Berbasis Geospasial)",
    "description": "JSON over /api/v1. Errors are RFC 9457 problem details with a stable `type`, a `title` in the request's language (Accept-Language: id, default, or en) and per-field `errors`. Lists page with opaque cursors. Updates need If-Match with the record's ETag; creates accept an Idempotency-Key. NIK, KK and account numbers are returned masked; roles that may see them ask for them with POST /api/v1/persons/{id}/reveal and a purpose, and every reveal is in the audit log. Sign in with POST /api/v1/auth/login (a session cookie, HttpOnly, SameSite=Strict; unsafe methods then need the X-CSRF-Token header with the csrf_token of the login answer) or send an API token as Authorization: Bearer. Each operation names the roles that may call it; other roles get 403, and records outside the caller's areas answer 404.",
    "license": { "name": "Proprietary (Pemerintah Kota Bontang)", "identifier": "LicenseRef-Bontang" },
    "contact": { "name": "Dinas Sosial dan Pemberdayaan Masyarakat Kota Bontang" }
  },
  "servers": [ { "url": "/" } ],
  "security": [ { "session": [] }, { "bearerToken": [] } ],
  "tags": [
    { "name": "system", "description": "Health and API description" },
    { "name": "auth", "description": "Sign-in, sessions, users and the audit log" },
    { "name": "persons", "description": "The registry of persons with disabilities" },
    { "name": "routes", "description": "Home-visit routes" },
    { "name": "hazards", "description": "Hazard zones (kawasan rawan bencana) and evacuation lists" },
    { "name": "facilities", "description": "Facilities (puskesmas, SLB, posyandu, kantor kelurahan, ...) and coverage reports" },
    { "name": "ogc", "description": "OGC API – Features – Part 1: Core, for QGIS and GDAL (OAPIF). Collections: persons (points; readers only, limited to their areas, NIK and KK masked) and areas (kota, kecamatan and kelurahan polygons; open) and hazards (hazard zones; readers). Facilities will join as a collection." },
    { "name": "maps", "description": "Map layers: clusters of homes, counts per area, the public map" },
    { "name": "aid", "description": "Social assistance (bantuan sosial): programmes, cycles, eligibility rules, beneficiary lists with maker-checker approval, handovers once per cycle and person, realisation" },
    { "name": "services", "description": "The services the card opens: the catalogue and each person's requests and their steps" },
    { "name": "cards", "description": "The card: issue, reissue and revoke a person's card, the print queue, checking a card's QR, and the public keys and revocation list that verify cards offline (docs/card-format.md)" },
    { "name": "imports", "description": "Importing persons from CSV and XLSX files: the template, a dry run, the import, the rejects" },
    { "name": "reports", "description": "Figures for the dashboard (Dasbor)" },
    { "name": "sync", "description": "Field work offline: the ops a device queued, applied once each; conflicts resolved by a supervisor; the pull of the user's areas (docs/sync.md)" },
    { "name": "province", "description": "The province package: a city's signed summary for a period, and the province instance's view of the kab/kota (docs/province.md)" },
    { "name": "duplicates", "description": "The duplicate review queue: pairs of persons who may be one, merged (the old id redirects) or marked distinct (never proposed again)" }
  ],
  "paths": {
    "/healthz": {
      "get": {
        "tags": ["system"], "operationId": "getHealth", "security": [], "summary": "Liveness and store status",
        "responses": {
          "200": { "description": "The server and its store are up",
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" } } } },
          "503": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/.well-known/kapal-keys.json": {
      "get": {
        "tags": ["cards"], "operationId": "getCardKeys", "security": [], "summary": "The public keys that verify cards",
        "description": "Anyone, without signing in. Every Ed25519 key cards were ever signed with, newest first, as a JWK set (RFC 8037 OKP keys) with each key's status: current (new cards are signed with it) or retired (kept so that cards signed before a rotation still verify). Pick the key by the kid in the credential's protected header. Cache-Control: public, max-age=3600; CORS open, so that verifier pages elsewhere can fetch it.",
        "responses": {
          "200": { "description": "The key set", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CardKeySet" } } } },
          "429": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/cards/verify": {
      "post": {
        "tags": ["cards"], "operationId": "verifyCard", "security": [], "summary": "Check a card's QR text",
        "description": "Anyone, without signing in: whoever holds the card (a nurse, a bank clerk, an e-warong). Decodes the Claim 169 credential, checks its signature with this instance's card keys (current and retired) and its validity dates. Answers 200 for every QR text, valid or not; the status says which. A card this registry revoked (or replaced by a reissue) is revoked, with where = registry; registry gives what the registry knows of the card number, or null.",
        "requestBody": { "required": true, "content": { "application/json": { "schema": {
          "type": "object", "required": ["qr"], "additionalProperties": false,
          "properties": { "qr": { "type": "string", "minLength": 1, "maxLength": 4296, "description": "The QR code's text (Base45)" } } } } } },
        "responses": {
          "200": { "description": "The outcome", "content": { "application/json": { "schema": {
            "type": "object", "required": ["status", "valid", "checked_at", "card"],
            "properties": {
              "status": { "type": "string", "enum": ["valid", "malformed", "unsigned", "unknown_key", "invalid_signature", "expired", "not_yet_valid", "revoked"] },
              "registry": { "description": "The registry's record of the card number (null when the card does not verify or the number is not in this registry)", "oneOf": [ { "type": "null" }, { "type": "object", "properties": {
                "state": { "type": "string", "enum": ["active", "expired", "revoked"] },
                "revoked_at": { "type": ["string", "null"], "format": "date-time" },
                "revoke_reason": { "type": "string" },
                "replaced_by": { "type": ["string", "null"], "description": "The printed number of the card that replaced it" } } } ] },
              "valid": { "type": "boolean" },
              "checked_at": { "type": "string", "format": "date-time" },
              "where": { "type": "string", "description": "For malformed: the stage that failed (base45, zlib, cbor, cose, cwt, claim169, kapal_claim)" },
              "what": { "type": "string" },
              "card": { "description": "What the card says, when it decodes (never a NIK)", "oneOf": [ { "type": "null" }, { "type": "object", "properties": {
                "card_number": { "type": "string" }, "full_name": { "type": "string" }, "date_of_birth": { "type": "string" },
                "sex": { "type": ["string", "null"] }, "issuer": { "type": "string" },
                "issued_at": { "type": ["string", "null"] }, "expires_at": { "type": ["string", "null"] },
                "key_id": { "type": "string" }, "kelurahan_code": { "type": "string" },
                "categories": { "type": "array", "items": { "type": "string" } },
                "needs": { "type": "array", "items": { "type": "string" } } } } ] } } } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" },
          "429": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/.well-known/kapal-revocations": {
      "get": {
        "tags": ["cards"], "operationId": "getCardRevocations", "security": [], "summary": "The signed list of revoked cards, for offline verifiers",
        "description": "Anyone, without signing in. A COSE_Sign1 (tag 18, EdDSA, the current card key's kid) whose payload is the CBOR map {1: issuer, 6: issued_at, -65538: [[card number, revoked_at, reason], ...]}, cards sorted by number; the layout is in docs/card-format.md. Verify it with the keys of /.well-known/kapal-keys.json; a verifier that cannot verify it must not use it. Cache-Control: public, max-age=300; CORS open.",
        "responses": {
          "200": { "description": "The signed list", "content": { "application/cose": { "schema": { "type": "string", "format": "binary" } } } },
          "429": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/persons/{id}/cards": {
      "parameters": [ { "$ref": "#/components/parameters/PersonId" } ],
      "post": {
        "tags": ["cards"], "operationId": "issueCard", "summary": "Issue a person's card, or reissue it",
        "description": "Roles: admin, operator, within their areas (404 outside). The next card number of the person's kab/kota, a credential signed with the current card key, valid for the configured years (card_validity_years). Without a body (or without replace_reason) a person who holds an active card is refused (409 card.already_active); with replace_reason the active card is revoked for that reason in the same transaction. Only persons whose status is aktif get a card (409 card.person_inactive).",
        "requestBody": { "required": false, "content": { "application/json": { "schema": { "type": "object", "additionalProperties": false, "properties": {
          "replace_reason": { "$ref": "#/components/schemas/CardRevokeReason" } } } } } },
        "responses": {
          "201": { "description": "The new card", "headers": { "Location": { "schema": { "type": "string" } } }, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Card" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "409": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      },
      "get": {
        "tags": ["cards"], "operationId": "getPersonCards", "summary": "A person's cards, newest first",
        "description": "Roles: admin, operator, auditor, viewer, within their areas (404 outside).",
        "responses": {
          "200": { "description": "The cards", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CardList" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/cards": {
      "get": {
        "tags": ["cards"], "operationId": "listCards", "summary": "Cards of the caller's areas, by number: the print queue",
        "description": "Roles: admin, operator, auditor, viewer; only cards issued in the caller's areas (a kelurahan outside them: 403). Page with after = next_after of the previous page.",
        "parameters": [
          { "name": "stage", "in": "query", "description": "Active cards to print, printed and to hand over, or handed over", "schema": { "type": "string", "enum": ["to_print", "to_hand_over", "handed_over"] } },
          { "name": "status", "in": "query", "schema": { "type": "string", "enum": ["active", "revoked"] } },
          { "name": "kelurahan", "in": "query", "description": "Area code (kelurahan, kecamatan or kota): cards issued there", "schema": { "type": "string" } },
          { "name": "after", "in": "query", "description": "Card number: the page after it", "schema": { "type": "string" } },
          { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 100 } }
        ],
        "responses": {
          "200": { "description": "A page of cards", "content": { "application/json": { "schema": { "allOf": [ { "$ref": "#/components/schemas/CardList" }, { "type": "object", "properties": { "next_after": { "type": ["string", "null"] } } } ] } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/cards/{number}": {
      "parameters": [ { "$ref": "#/components/parameters/CardNumber" } ],
      "get": {
        "tags": ["cards"], "operationId": "getCard", "summary": "One card",
        "description": "Roles: admin, operator, auditor, viewer; a card issued outside the caller's areas answers 404.",
        "responses": {
          "200": { "description": "The card", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Card" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/cards/{number}/image": {
      "parameters": [ { "$ref": "#/components/parameters/CardNumber" } ],
      "get": {
        "tags": ["cards"], "operationId": "getCardImage", "summary": "The card as printed: one side as PNG (300 dpi, 1011 x 638) or both as a PDF",
        "description": "Roles: admin, operator, auditor, viewer; a card issued outside the caller's areas answers 404. Drawn from the stored credential, so the QR is exactly the card's (docs/card-format.md, Rendering).",
        "parameters": [
          { "name": "format", "in": "query", "schema": { "type": "string", "enum": ["png", "pdf"], "default": "png" } },
          { "name": "side", "in": "query", "description": "For PNG", "schema": { "type": "string", "enum": ["front", "back"], "default": "front" } }
        ],
        "responses": {
          "200": { "description": "The picture", "content": { "image/png": { "schema": { "type": "string", "format": "binary" } }, "application/pdf": { "schema": { "type": "string", "format": "binary" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/cards/sheet": {
      "get": {
        "tags": ["cards"], "operationId": "getCardSheet", "summary": "A4 print sheets of the cards of an area: 10 cards a page with crop marks, each page of fronts followed by its backs mirrored for duplex",
        "description": "Roles: admin, operator; only cards of their areas (an area outside them: 403). At most 500 cards (422 beyond: print one kelurahan at a time); 404 when no card matches.",
        "parameters": [
          { "name": "kelurahan", "in": "query", "description": "Area code (kelurahan, kecamatan or kota)", "schema": { "type": "string" } },
          { "name": "stage", "in": "query", "schema": { "type": "string", "enum": ["to_print", "to_hand_over", "handed_over"], "default": "to_print" } }
        ],
        "responses": {
          "200": { "description": "The sheets", "content": { "application/pdf": { "schema": { "type": "string", "format": "binary" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/cards/{number}/revoke": {
      "parameters": [ { "$ref": "#/components/parameters/CardNumber" } ],
      "post": {
        "tags": ["cards"], "operationId": "revokeCard", "summary": "Revoke a card",
        "description": "Roles: admin, operator, within their areas (404 outside). A revoked card verifies as revoked and is in the revocation list. A person whose status changes to meninggal, pindah or nonaktif loses the active card the same way, automatically.",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["reason"], "additionalProperties": false, "properties": {
          "reason": { "$ref": "#/components/schemas/CardRevokeReason" },
          "note": { "type": "string", "maxLength": 500 } } } } } },
        "responses": {
          "200": { "description": "The revoked card", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Card" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "409": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/cards/printed": {
      "post": {
        "tags": ["cards"], "operationId": "markCardsPrinted", "summary": "Mark cards printed",
        "description": "Roles: admin, operator, within their areas. All or nothing: an unknown, outside (404) or revoked (409) card changes none. Cards already printed are left as they were.",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CardNumbers" } } } },
        "responses": {
          "200": { "description": "How many changed", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CardsChanged" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "409": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/cards/handed-over": {
      "post": {
        "tags": ["cards"], "operationId": "markCardsHandedOver", "summary": "Mark cards handed over to their holders",
        "description": "Roles: admin, operator, within their areas. Marks them printed too when they were not. All or nothing, as for printed.",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CardNumbers" } } } },
        "responses": {
          "200": { "description": "How many changed", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CardsChanged" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "409": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/aid/programs": {"get": {"tags": ["aid"], "operationId": "listAidPrograms", "summary": "Social assistance programmes", "description": "Roles: every signed-in role; a penyalur or merchant sees only the programmes they are assigned to (404 for others).", "responses": {"200": {"description": "The programmes", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/AidProgram"}}, "next_after": {"type": "string", "description": "Pass as after= for the next page; absent on the last page"}}}}}}, "401": {"$ref": "#/components/responses/Problem"}}}, "post": {"tags": ["aid"], "operationId": "createAidProgram", "summary": "Create a programme", "description": "Role: admin. The rule is checked (422 aid.rule_invalid naming the position and what was expected; docs/eligibility.md).", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidProgramInput"}}}}, "responses": {"201": {"description": "Created", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidProgram"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/programs/{code}": {"parameters": [{"name": "code", "in": "path", "required": true, "description": "Programme code", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "getAidProgram", "summary": "A programme", "description": "Roles: every signed-in role; a penyalur or merchant sees only the programmes they are assigned to (404 for others).", "responses": {"200": {"description": "The programme", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidProgram"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}, "put": {"tags": ["aid"], "operationId": "updateAidProgram", "summary": "Change a programme", "description": "Role: admin. Needs If-Match with the programme's ETag. The code cannot change.", "parameters": [{"name": "If-Match", "in": "header", "required": true, "description": "The programme's ETag", "schema": {"type": "string"}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidProgramInput"}}}}, "responses": {"200": {"description": "Changed", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidProgram"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "412": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}, "428": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/programs/{code}/cycles": {"parameters": [{"name": "code", "in": "path", "required": true, "description": "Programme code", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "listAidCycles", "summary": "A programme's cycles (tahap), by number", "description": "Roles: every signed-in role; a penyalur or merchant sees only the programmes they are assigned to (404 for others).", "responses": {"200": {"description": "The cycles", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/AidCycle"}}, "next_after": {"type": "string", "description": "Pass as after= for the next page; absent on the last page"}}}}}}, "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}, "post": {"tags": ["aid"], "operationId": "createAidCycle", "summary": "Add a cycle to a programme", "description": "Role: admin. Its list starts as an empty draft.", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidCycleInput"}}}}, "responses": {"201": {"description": "Created", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidCycle"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "getAidCycle", "summary": "A cycle with its list's state", "description": "Roles: every signed-in role; a penyalur or merchant sees only the programmes they are assigned to (404 for others).", "responses": {"200": {"description": "The cycle", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidCycle"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/rules/preview": {"post": {"tags": ["aid"], "operationId": "previewAidRule", "summary": "Evaluate an eligibility rule on the registry without writing", "description": "Roles: admin, operator, auditor; counts within the caller's areas. docs/eligibility.md describes the language.", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["rule"], "additionalProperties": false, "properties": {"rule": {"type": "string", "maxLength": 4000, "examples": ["age >= 18 and \"fisik\" in categories and severity in (\"sedang\",\"berat\") and not dtks"]}}}}}}, "responses": {"200": {"description": "Counts", "content": {"application/json": {"schema": {"type": "object", "required": ["canonical", "evaluated", "matched", "per_kelurahan"], "properties": {"canonical": {"type": "string"}, "evaluated": {"type": "integer"}, "matched": {"type": "integer"}, "per_kelurahan": {"type": "object", "additionalProperties": {"type": "integer"}}}}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/list/generate": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "post": {"tags": ["aid"], "operationId": "generateAidList", "summary": "Make a draft list from the programme's rule and the cycle's quotas", "description": "Roles: admin, operator; an operator limited to areas regenerates the entries of those areas. Entries made by hand and removals stay. Quotas keep the most severe, then the oldest. Entries carry anomaly flags (aid.shared_account, aid.person_inactive, aid.excluded_program). 409 aid.list_state when the list is not a draft.", "parameters": [{"name": "If-Match", "in": "header", "required": true, "description": "The cycle's ETag (428 without, 412 when it changed meanwhile)", "schema": {"type": "string"}}], "responses": {"200": {"description": "Generated", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}, "content": {"application/json": {"schema": {"type": "object", "required": ["cycle", "matched", "listed"], "properties": {"cycle": {"$ref": "#/components/schemas/AidCycle"}, "matched": {"type": "integer"}, "listed": {"type": "integer"}, "over_quota": {"type": "object", "additionalProperties": {"type": "integer"}}, "flags": {"type": "object", "additionalProperties": {"type": "integer"}}}}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "412": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}, "428": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/list": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "getAidList", "summary": "A page of a cycle's beneficiary list, by person id", "description": "Roles: every signed-in role; a penyalur or merchant sees only the programmes they are assigned to (404 for others). Readers see the entries of their areas.", "parameters": [{"name": "kelurahan", "in": "query", "description": "Only entries in this area (a code of the caller's areas)", "schema": {"type": "string"}}, {"name": "removed", "in": "query", "description": "true: include entries taken off by hand", "schema": {"type": "boolean"}}, {"name": "after", "in": "query", "schema": {"type": "string"}}, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}], "responses": {"200": {"description": "Entries", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/AidListEntry"}}, "next_after": {"type": "string", "description": "Pass as after= for the next page; absent on the last page"}}}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/list/add": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "post": {"tags": ["aid"], "operationId": "addAidListEntry", "summary": "Put a person on a draft list by hand", "description": "Roles: admin, operator, for persons of their areas (404 outside). A reason is required. Flags aid.quota_exceeded when the area's quota is full.", "parameters": [{"name": "If-Match", "in": "header", "required": true, "description": "The cycle's ETag (428 without, 412 when it changed meanwhile)", "schema": {"type": "string"}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["person_id", "reason"], "additionalProperties": false, "properties": {"person_id": {"type": "string"}, "reason": {"type": "string", "maxLength": 500}}}}}}, "responses": {"200": {"description": "The cycle", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidCycle"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "412": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}, "428": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/list/remove": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "post": {"tags": ["aid"], "operationId": "removeAidListEntry", "summary": "Take a person off a draft list", "description": "Roles: admin, operator, for persons of their areas (404 outside). A reason is required; the entry is kept, marked removed.", "parameters": [{"name": "If-Match", "in": "header", "required": true, "description": "The cycle's ETag (428 without, 412 when it changed meanwhile)", "schema": {"type": "string"}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["person_id", "reason"], "additionalProperties": false, "properties": {"person_id": {"type": "string"}, "reason": {"type": "string", "maxLength": 500}}}}}}, "responses": {"200": {"description": "The cycle", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidCycle"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "412": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}, "428": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/list/propose": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "post": {"tags": ["aid"], "operationId": "proposeAidList", "summary": "Propose a draft list for approval (maker)", "description": "Roles: admin, operator.", "parameters": [{"name": "If-Match", "in": "header", "required": true, "description": "The cycle's ETag (428 without, 412 when it changed meanwhile)", "schema": {"type": "string"}}], "responses": {"200": {"description": "The cycle", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidCycle"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "412": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}, "428": {"$ref": "#/components/responses/Problem"}}, "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {"reason": {"type": "string", "maxLength": 500}}}}}}}},
    "/api/v1/aid/cycles/{id}/list/approve": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "post": {"tags": ["aid"], "operationId": "approveAidList", "summary": "Approve a proposed list (checker): it is frozen and its hash recorded", "description": "Role: admin other than the proposer (403 aid.self_approval). The hash is the BLAKE2b-256 of the list (docs/api.md).", "parameters": [{"name": "If-Match", "in": "header", "required": true, "description": "The cycle's ETag (428 without, 412 when it changed meanwhile)", "schema": {"type": "string"}}], "responses": {"200": {"description": "The cycle", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidCycle"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "412": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}, "428": {"$ref": "#/components/responses/Problem"}}, "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {"reason": {"type": "string", "maxLength": 500}}}}}}}},
    "/api/v1/aid/cycles/{id}/list/return": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "post": {"tags": ["aid"], "operationId": "returnAidList", "summary": "Send a proposed list back to draft", "description": "Role: admin. A reason is required.", "parameters": [{"name": "If-Match", "in": "header", "required": true, "description": "The cycle's ETag (428 without, 412 when it changed meanwhile)", "schema": {"type": "string"}}], "responses": {"200": {"description": "The cycle", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidCycle"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "412": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}, "428": {"$ref": "#/components/responses/Problem"}}, "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {"reason": {"type": "string", "maxLength": 500}}}}}}}},
    "/api/v1/aid/cycles/{id}/beneficiary": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "post": {"tags": ["aid"], "operationId": "findAidBeneficiary", "summary": "Who a scanned card (or a card number, or a chosen person) is, for the handover page", "description": "Roles: admin, penyalur assigned to the programme (404 for another penyalur: the programme is not theirs to see). A QR must verify as a valid card of this registry (422 card.credential_malformed otherwise; 409 card.already_revoked for a revoked card). A penyalur gets 404 for a person chosen by id who is not on the list.", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidHandover"}}}}, "responses": {"200": {"description": "The beneficiary", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidBeneficiary"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/beneficiaries": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "searchAidBeneficiaries", "summary": "Beneficiaries of a cycle by name (when no card is at hand)", "description": "Roles: admin, assigned penyalur. At least 3 letters; at most 20 answers.", "parameters": [{"name": "q", "in": "query", "required": true, "schema": {"type": "string", "minLength": 3}}], "responses": {"200": {"description": "Matches on the list", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/AidBeneficiary"}}, "next_after": {"type": "string", "description": "Pass as after= for the next page; absent on the last page"}}}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/handovers": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "post": {"tags": ["aid"], "operationId": "recordAidHandover", "summary": "Record a handover (in kind) — once per cycle and person", "description": "Roles: admin, penyalur assigned to the programme, wherever the person lives. The list must be approved (409 aid.list_state), today within the cycle (409 aid.cycle_closed), the person on the list (409 aid.not_on_list) and not yet served by any channel (409 aid.already_delivered: the store enforces it under concurrency). A person found without the card needs search_reason. The same Idempotency-Key of the same officer returns the first record (200) and writes nothing. Flags: aid.person_inactive, aid.far_from_home.", "parameters": [{"name": "Idempotency-Key", "in": "header", "description": "Makes a retried handover safe", "schema": {"type": "string", "maxLength": 200}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidHandover"}}}}, "responses": {"201": {"description": "Recorded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidDelivery"}}}}, "200": {"description": "A retry with the same Idempotency-Key: the first record", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AidDelivery"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/deliveries": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "listAidDeliveries", "summary": "A cycle's deliveries, oldest first", "description": "Roles: admin, operator, auditor, viewer (their areas), penyalur (the programme's).", "parameters": [{"name": "kelurahan", "in": "query", "description": "Only entries in this area (a code of the caller's areas)", "schema": {"type": "string"}}, {"name": "person", "in": "query", "schema": {"type": "string"}}, {"name": "after", "in": "query", "schema": {"type": "string"}}, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}], "responses": {"200": {"description": "Deliveries", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/AidDelivery"}}, "next_after": {"type": "string", "description": "Pass as after= for the next page; absent on the last page"}}}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/deliveries/{id}/evidence": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Delivery id", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "getAidDeliveryEvidence", "summary": "The photo or signature of a handover", "description": "Roles: admin, operator, auditor, viewer (their areas; 404 outside), penyalur (the programme's).", "responses": {"200": {"description": "The picture", "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}, "image/png": {"schema": {"type": "string", "format": "binary"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/realisation": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "getAidRealisation", "summary": "Realisation per kelurahan: listed, delivered, pending, failed, not yet", "description": "Roles: admin, operator, auditor, viewer (their areas). format=xlsx gives a workbook (sheet Realisasi with kelurahan names and a total row, sheet Tentang).", "parameters": [{"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "xlsx"], "default": "json"}}], "responses": {"200": {"description": "Per kelurahan and in total", "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}, "application/json": {"schema": {"type": "object", "required": ["items", "total"], "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {"kelurahan_code": {"type": "string"}, "listed": {"type": "integer"}, "delivered": {"type": "integer"}, "pending": {"type": "integer"}, "failed": {"type": "integer"}, "not_yet": {"type": "integer"}, "delivered_amount": {"type": "integer"}}}}, "total": {"type": "object", "properties": {"listed": {"type": "integer"}, "delivered": {"type": "integer"}, "pending": {"type": "integer"}, "failed": {"type": "integer"}, "not_yet": {"type": "integer"}, "delivered_amount": {"type": "integer"}}}}}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/merchants": {"get": {"tags": ["aid"], "operationId": "listMerchants", "summary": "Merchants (e-warong) where vouchers are spent", "description": "Roles: admin, operator, auditor, viewer (all merchants), merchant (its own). format=geojson answers a FeatureCollection of points for the map.", "parameters": [{"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "geojson"], "default": "json"}}], "responses": {"200": {"description": "Merchants by name", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Merchant"}}}}}, "application/geo+json": {"schema": {"type": "object", "required": ["type", "features"], "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": {"type": "object"}}}}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}, "post": {"tags": ["aid"], "operationId": "createMerchant", "summary": "Register a merchant", "description": "Roles: admin. The user must be an account of role merchant; lon and lat are required.", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MerchantInput"}}}}, "responses": {"201": {"description": "The merchant", "headers": {"ETag": {"schema": {"type": "string"}}, "Location": {"schema": {"type": "string"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Merchant"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/merchants/{id}": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Merchant id (UUIDv7)", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "getMerchant", "summary": "One merchant", "description": "Roles: admin, operator, auditor, viewer, merchant (its own; others answer 404).", "responses": {"200": {"description": "The merchant", "headers": {"ETag": {"schema": {"type": "string"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Merchant"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}, "put": {"tags": ["aid"], "operationId": "updateMerchant", "summary": "Change a merchant (If-Match)", "description": "Roles: admin. active: false stops redemptions at it.", "parameters": [{"name": "If-Match", "in": "header", "required": true, "schema": {"type": "string"}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MerchantInput"}}}}, "responses": {"200": {"description": "The merchant", "headers": {"ETag": {"schema": {"type": "string"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Merchant"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "412": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}, "428": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/merchants/{id}/transactions": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Merchant id (UUIDv7)", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "listMerchantTransactions", "summary": "A merchant's redemptions, oldest first", "description": "Roles: admin, auditor, merchant (its own).", "parameters": [{"name": "cycle", "in": "query", "schema": {"type": "string"}}, {"name": "after", "in": "query", "description": "The next_after of the previous page", "schema": {"type": "string"}}, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}], "responses": {"200": {"description": "A page of ledger transactions", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/VoucherTransaction"}}, "next_after": {"type": "string", "description": "Pass as after= for the next page; absent on the last page"}}}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/voucher/holder": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "post": {"tags": ["aid"], "operationId": "findVoucherHolder", "summary": "Who a scanned card names, with the voucher's balance", "description": "Roles: admin, merchant (assigned to the programme). Give qr, card_number or person_id.", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VoucherLookup"}}}}, "responses": {"200": {"description": "The person and the balance", "content": {"application/json": {"schema": {"type": "object", "required": ["person", "balance"], "properties": {"person": {"$ref": "#/components/schemas/VoucherPerson"}, "balance": {"$ref": "#/components/schemas/VoucherBalance"}}}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/voucher/holders": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "searchVoucherHolders", "summary": "Beneficiaries of a cycle by name (no card at hand)", "description": "Roles: admin, merchant (assigned). At most 20 answers.", "parameters": [{"name": "q", "in": "query", "required": true, "description": "At least 3 letters of the name", "schema": {"type": "string"}}], "responses": {"200": {"description": "Matches", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/VoucherPerson"}}}}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/voucher/redemptions": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "post": {"tags": ["aid"], "operationId": "redeemVoucher", "summary": "Spend part of a voucher at a merchant", "description": "Roles: admin (naming merchant_id), merchant (assigned to the programme, at its own e-warong). The first redemption issues the entitlement (the programme's unit_value) as the person's one delivery of the cycle. The balance never goes below zero: 409 aid.voucher_insufficient.", "parameters": [{"name": "Idempotency-Key", "in": "header", "description": "The client's key (1..200 characters): a retry with the same key returns the first redemption (200) and spends nothing; the same key for another person, merchant or amount is refused (409 idempotency_key_reused)", "schema": {"type": "string", "maxLength": 200}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VoucherRedemption"}}}}, "responses": {"201": {"description": "Redeemed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VoucherOutcome"}}}}, "200": {"description": "A retry with the same Idempotency-Key: the first redemption, nothing spent", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VoucherOutcome"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/voucher/balances/{person}": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}, {"name": "person", "in": "path", "required": true, "description": "Person id", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "getVoucherBalance", "summary": "A person's voucher balance in a cycle", "description": "Roles: admin, operator, auditor, viewer (their areas), merchant (assigned).", "responses": {"200": {"description": "The balance", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VoucherBalance"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/voucher/ledger": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "getVoucherLedger", "summary": "The double-entry ledger of a cycle, oldest first", "description": "Roles: admin, auditor; merchant (its own redemptions). Every transaction's postings sum to zero.", "parameters": [{"name": "person", "in": "query", "schema": {"type": "string"}}, {"name": "after", "in": "query", "description": "The next_after of the previous page", "schema": {"type": "string"}}, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}], "responses": {"200": {"description": "A page of transactions", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/VoucherTransaction"}}, "next_after": {"type": "string", "description": "Pass as after= for the next page; absent on the last page"}}}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/voucher/merchant-totals": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "getMerchantTotals", "summary": "What the Dinas owes each merchant for a cycle", "description": "Roles: admin, auditor; merchant (its own line).", "responses": {"200": {"description": "Totals per merchant", "content": {"application/json": {"schema": {"type": "object", "required": ["items", "total"], "properties": {"items": {"type": "array", "items": {"type": "object", "required": ["merchant_id", "transactions", "amount"], "properties": {"merchant_id": {"type": "string"}, "name": {"type": "string"}, "transactions": {"type": "integer"}, "amount": {"type": "integer", "description": "Rupiah"}}}}, "total": {"type": "object", "properties": {"transactions": {"type": "integer"}, "amount": {"type": "integer"}}}}}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/cycles/{id}/batches": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Cycle id (UUIDv7)", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "listAidBatches", "summary": "A transfer cycle's disbursement batches with their counts", "description": "Roles: admin, operator, auditor, viewer; a user limited to areas only when they cover every beneficiary of the cycle (403 otherwise). See docs/aid-transfer.md.", "responses": {"200": {"description": "By number", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"type": "object", "required": ["id", "cycle_id", "number", "state", "line_count", "total_amount"], "properties": {"id": {"type": "string"}, "cycle_id": {"type": "string"}, "program_code": {"type": "string"}, "number": {"type": "integer"}, "state": {"type": "string", "enum": ["dibuat", "direkonsiliasi"]}, "line_count": {"type": "integer"}, "total_amount": {"type": "integer", "description": "Rupiah"}, "paid_count": {"type": "integer"}, "paid_amount": {"type": "integer"}, "failed_count": {"type": "integer"}, "pending_count": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "created_by": {"type": "string"}, "reconciled_at": {"type": ["string", "null"], "format": "date-time"}, "file": {"type": "string", "description": "Path of the batch file"}}}}}}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}, "post": {"tags": ["aid"], "operationId": "createAidBatch", "summary": "Make a disbursement batch of every beneficiary not yet served (failed transfers are re-issued)", "description": "Roles: admin, operator (areas covering the whole cycle). The programme's channel must be transfer and the list approved. Each line is a pending transfer delivery: a person is in at most one live batch and is never also handed the aid over. Beneficiaries without an account, already paid or pending are left out and listed with the reason (no_account, delivered, pending). 409 aid.already_delivered when nobody is left to pay.", "responses": {"201": {"description": "The batch, who was left out and the anomaly flag counts", "content": {"application/json": {"schema": {"allOf": [{"type": "object", "required": ["id", "cycle_id", "number", "state", "line_count", "total_amount"], "properties": {"id": {"type": "string"}, "cycle_id": {"type": "string"}, "program_code": {"type": "string"}, "number": {"type": "integer"}, "state": {"type": "string", "enum": ["dibuat", "direkonsiliasi"]}, "line_count": {"type": "integer"}, "total_amount": {"type": "integer", "description": "Rupiah"}, "paid_count": {"type": "integer"}, "paid_amount": {"type": "integer"}, "failed_count": {"type": "integer"}, "pending_count": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "created_by": {"type": "string"}, "reconciled_at": {"type": ["string", "null"], "format": "date-time"}, "file": {"type": "string", "description": "Path of the batch file"}}}, {"type": "object", "properties": {"left_out": {"type": "array", "items": {"type": "object", "properties": {"person_id": {"type": "string"}, "kelurahan_code": {"type": "string"}, "reason": {"type": "string", "enum": ["no_account", "delivered", "pending"]}, "delivery_id": {"type": ["string", "null"]}}}}, "flag_counts": {"type": "object", "additionalProperties": {"type": "integer"}}}}]}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/batches/{id}": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Batch id (UUIDv7)", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "getAidBatch", "summary": "A batch with its reconciliation: counts and every line's state, failure reason and bank reference", "description": "Roles: admin, operator, auditor, viewer (areas covering the whole cycle).", "responses": {"200": {"description": "The batch and its lines", "content": {"application/json": {"schema": {"allOf": [{"type": "object", "required": ["id", "cycle_id", "number", "state", "line_count", "total_amount"], "properties": {"id": {"type": "string"}, "cycle_id": {"type": "string"}, "program_code": {"type": "string"}, "number": {"type": "integer"}, "state": {"type": "string", "enum": ["dibuat", "direkonsiliasi"]}, "line_count": {"type": "integer"}, "total_amount": {"type": "integer", "description": "Rupiah"}, "paid_count": {"type": "integer"}, "paid_amount": {"type": "integer"}, "failed_count": {"type": "integer"}, "pending_count": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "created_by": {"type": "string"}, "reconciled_at": {"type": ["string", "null"], "format": "date-time"}, "file": {"type": "string", "description": "Path of the batch file"}}}, {"type": "object", "properties": {"lines": {"type": "array", "items": {"type": "object", "properties": {"delivery_id": {"type": "string"}, "person_id": {"type": "string"}, "kelurahan_code": {"type": "string"}, "amount": {"type": "integer"}, "state": {"type": "string", "enum": ["pending", "delivered", "failed"]}, "recorded_at": {"type": "string", "format": "date-time"}, "fail_reason": {"type": "string"}, "bank_reference": {"type": "string"}, "flags": {"type": "array", "items": {"type": "string"}}}}}}}]}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/batches/{id}/file": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Batch id (UUIDv7)", "schema": {"type": "string"}}], "get": {"tags": ["aid"], "operationId": "getAidBatchFile", "summary": "The batch file for the bank (CSV with a totals line and a SHA-256 checksum line)", "description": "Roles: admin, operator, auditor (those who may unmask; areas covering the whole cycle). Account numbers are in clear: every download is audited (aid.batch.export). Columns: line, batch_id, delivery_id, person_id, name, provider, account_number, account_holder, amount_idr; then TOTAL,count,sum; then SHA256,hex of every preceding byte. The header X-Checksum-SHA256 repeats the checksum. See docs/aid-transfer.md.", "responses": {"200": {"description": "UTF-8 CSV, CRLF lines", "headers": {"X-Checksum-SHA256": {"schema": {"type": "string"}}}, "content": {"text/csv": {"schema": {"type": "string"}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/aid/batches/{id}/result": {"parameters": [{"name": "id", "in": "path", "required": true, "description": "Batch id (UUIDv7)", "schema": {"type": "string"}}], "post": {"tags": ["aid"], "operationId": "importAidBatchResult", "summary": "Reconcile the bank's result file with a batch, line by line", "description": "Roles: admin, operator (areas covering the whole cycle). The body is the CSV file itself (header delivery_id, status, amount, reason, bank_reference, paid_at; amount and bank_reference optional). paid: the line becomes delivered at paid_at; failed: failed with the reason, and re-issued by the next batch. Unknown references, lines of another batch, another amount and contradictions are reported as unmatched; bad cells as invalid with row and column; neither changes anything. The same file again changes nothing (already_imported). 422 aid.batch_file_invalid when the header lacks a required column (nothing applied).", "requestBody": {"required": true, "content": {"text/csv": {"schema": {"type": "string"}}, "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}, "responses": {"200": {"description": "What the import did", "content": {"application/json": {"schema": {"type": "object", "required": ["batch", "rows", "paid", "failed", "unchanged", "unmatched", "invalid", "already_imported", "problems"], "properties": {"batch": {"type": "object", "required": ["id", "cycle_id", "number", "state", "line_count", "total_amount"], "properties": {"id": {"type": "string"}, "cycle_id": {"type": "string"}, "program_code": {"type": "string"}, "number": {"type": "integer"}, "state": {"type": "string", "enum": ["dibuat", "direkonsiliasi"]}, "line_count": {"type": "integer"}, "total_amount": {"type": "integer", "description": "Rupiah"}, "paid_count": {"type": "integer"}, "paid_amount": {"type": "integer"}, "failed_count": {"type": "integer"}, "pending_count": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "created_by": {"type": "string"}, "reconciled_at": {"type": ["string", "null"], "format": "date-time"}, "file": {"type": "string", "description": "Path of the batch file"}}}, "rows": {"type": "integer"}, "paid": {"type": "integer"}, "failed": {"type": "integer"}, "unchanged": {"type": "integer"}, "unmatched": {"type": "integer"}, "invalid": {"type": "integer"}, "already_imported": {"type": "boolean"}, "problems": {"type": "array", "items": {"type": "object", "properties": {"row": {"type": "integer"}, "column": {"type": "string"}, "delivery_id": {"type": "string"}, "kind": {"type": "string", "enum": ["invalid", "unmatched"]}, "message": {"type": "string"}}}}}}}}}, "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "413": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}},
    "/api/v1/services": {
      "get": {
        "tags": ["services"], "operationId": "listServices", "summary": "The services the card opens (the catalogue)",
        "description": "Roles: admin, operator, auditor, viewer. By position; retired services (active: false) included, so that old requests keep their meaning. A new instance starts with the thirteen basic services of the Bontang card.",
        "responses": {
          "200": { "description": "The catalogue", "content": { "application/json": { "schema": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Service" } } } } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" }
        }
      },
      "post": {
        "tags": ["services"], "operationId": "addService", "summary": "Add a service to the catalogue",
        "description": "Role: admin. A code (a-z, 0-9, _; at most 40) that no service has.",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ServiceInput" } } } },
        "responses": {
          "201": { "description": "Added", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Service" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "409": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/services/{code}": {
      "parameters": [ { "name": "code", "in": "path", "required": true, "schema": { "type": "string" } } ],
      "put": {
        "tags": ["services"], "operationId": "updateService", "summary": "Change a service: names, description, position, or retire it (active: false)",
        "description": "Role: admin. Services are never deleted.",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ServiceInput" } } } },
        "responses": {
          "200": { "description": "Changed", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Service" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/persons/{id}/service-requests": {
      "parameters": [ { "$ref": "#/components/parameters/PersonId" } ],
      "get": {
        "tags": ["services"], "operationId": "getPersonServiceRequests", "summary": "A person's service requests with every step, newest first",
        "description": "Roles: admin, operator, auditor, viewer, within their areas (404 outside).",
        "responses": {
          "200": { "description": "The requests", "content": { "application/json": { "schema": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/ServiceRequest" } } } } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      },
      "post": {
        "tags": ["services"], "operationId": "openServiceRequest", "summary": "Open a service request for a person",
        "description": "Roles: admin, operator, within their areas (404 outside). An unknown or retired service is 422 service.unknown.",
        "parameters": [
          { "name": "Idempotency-Key", "in": "header", "description": "Makes a retried request safe (1..200 characters): the same key from the same user for the same person, service, note and card returns the first request (200, Idempotent-Replayed: true) and opens nothing; for another request it is refused (409 idempotency_key_reused). A service.request sync op's key is this key.", "schema": { "type": "string", "maxLength": 200 } }
        ],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["service"], "additionalProperties": false, "properties": {
          "service": { "type": "string", "description": "A code of the catalogue" }, "note": { "type": "string", "maxLength": 2000 } } } } } },
        "responses": {
          "201": { "description": "Opened", "headers": { "ETag": { "$ref": "#/components/headers/ETag" } }, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ServiceRequest" } } } },
          "200": { "description": "A retry with the same Idempotency-Key: the first request, nothing opened", "headers": { "ETag": { "$ref": "#/components/headers/ETag" } }, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ServiceRequest" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "409": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/service-requests/scan": {
      "post": {
        "tags": ["services"], "operationId": "openServiceRequestByCard", "summary": "Open a service request by scanning the person's card",
        "description": "Roles: admin, operator; the card's holder must be in their areas (404 outside). The QR must verify as valid and be a card of this registry (a revoked, expired, forged or foreign card: 422 card.credential_malformed saying which); the request records the card number.",
        "parameters": [
          { "name": "Idempotency-Key", "in": "header", "description": "Makes a retried request safe (1..200 characters): the same key from the same user for the same person, service, note and card returns the first request (200, Idempotent-Replayed: true) and opens nothing; for another request it is refused (409 idempotency_key_reused). A service.request sync op's key is this key.", "schema": { "type": "string", "maxLength": 200 } }
        ],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["qr", "service"], "additionalProperties": false, "properties": {
          "qr": { "type": "string", "maxLength": 4296 }, "service": { "type": "string" }, "note": { "type": "string", "maxLength": 2000 } } } } } },
        "responses": {
          "201": { "description": "Opened", "headers": { "ETag": { "$ref": "#/components/headers/ETag" } }, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ServiceRequest" } } } },
          "200": { "description": "A retry with the same Idempotency-Key: the first request, nothing opened", "headers": { "ETag": { "$ref": "#/components/headers/ETag" } }, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ServiceRequest" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "409": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/service-requests/{id}": {
      "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } } ],
      "get": {
        "tags": ["services"], "operationId": "getServiceRequest", "summary": "One service request with every step",
        "description": "Roles: admin, operator, auditor, viewer; a request of a person outside the caller's areas answers 404.",
        "responses": {
          "200": { "description": "The request", "headers": { "ETag": { "$ref": "#/components/headers/ETag" } }, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ServiceRequest" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/service-requests/{id}/status": {
      "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } } ],
      "post": {
        "tags": ["services"], "operationId": "moveServiceRequest", "summary": "Move a request on: diproses, selesai, ditolak or dibatalkan",
        "description": "Roles: admin, operator, within their areas. Needs If-Match with the request's ETag (428 without, 412 when someone moved it meanwhile). From diajukan to any of the four; from diproses to selesai, ditolak or dibatalkan; selesai, ditolak and dibatalkan are final (409 service.transition_invalid).",
        "parameters": [ { "name": "If-Match", "in": "header", "required": true, "schema": { "type": "string" } } ],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["status"], "additionalProperties": false, "properties": {
          "status": { "type": "string", "enum": ["diproses", "selesai", "ditolak", "dibatalkan"] }, "note": { "type": "string", "maxLength": 2000 } } } } } },
        "responses": {
          "200": { "description": "Moved", "headers": { "ETag": { "$ref": "#/components/headers/ETag" } }, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ServiceRequest" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "409": { "$ref": "#/components/responses/Problem" },
          "412": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" },
          "428": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/openapi.json": {
      "get": {
        "tags": ["system"], "operationId": "getOpenApi", "security": [], "summary": "This document",
        "responses": {
          "200": { "description": "The OpenAPI document", "content": { "application/json": { "schema": { "type": "object" } } } },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/persons": {
      "get": {
        "tags": ["persons"], "operationId": "listPersons", "summary": "List persons, filtered, in registration order", "description": "Roles: admin, operator, auditor, viewer.",
        "parameters": [
          { "name": "kelurahan", "in": "query", "description": "Kemendagri kelurahan code, e.g. 64.74.01.1003", "schema": { "type": "string" } },
          { "name": "kecamatan", "in": "query", "description": "Kemendagri kecamatan code, e.g. 64.74.01", "schema": { "type": "string" } },
          { "name": "category", "in": "query", "description": "Disability category", "schema": { "$ref": "#/components/schemas/Category" } },
          { "name": "status", "in": "query", "schema": { "$ref": "#/components/schemas/Status" } },
          { "name": "q", "in": "query", "description": "Case-insensitive part of the full name", "schema": { "type": "string" } },
          { "name": "cursor", "in": "query", "description": "next_cursor of the previous page", "schema": { "type": "string" } },
          { "name": "sort", "in": "query", "description": "The order, on the server across every page (send the same sort with each cursor): by name (ASCII case folded), birth date (missing first) or kelurahan code; a leading - for descending; ties by registration. Absent: registration order. Not with near or bbox", "schema": { "type": "string", "enum": ["name", "-name", "birth_date", "-birth_date", "kelurahan", "-kelurahan"] } },
          { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 50 } },
          { "name": "near", "in": "query", "description": "lon,lat (WGS84): persons around this point, nearest first, each with distance_m; needs radius_m or k. Not with q or cursor", "schema": { "type": "string", "example": "117.4987,0.1342" } },
          { "name": "radius_m", "in": "query", "description": "With near: persons within this many metres", "schema": { "type": "number", "minimum": 0, "maximum": 100000 } },
          { "name": "k", "in": "query", "description": "With near: the k nearest persons", "schema": { "type": "integer", "minimum": 1, "maximum": 1000 } },
          { "name": "bbox", "in": "query", "description": "min_lon,min_lat,max_lon,max_lat: persons whose home is inside (edges included), by id. min_lon > max_lon is a box across the antimeridian. Not with near", "schema": { "type": "string", "example": "117.42,0.08,117.50,0.15" } },
          { "name": "needs", "in": "query", "description": "With near or bbox: assistive-device codes separated by commas; persons needing any of them", "schema": { "type": "string", "example": "kursi_roda,walker" } },
          { "name": "severity", "in": "query", "description": "With near or bbox", "schema": { "$ref": "#/components/schemas/Severity" } }
        ],
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "One page. A spatial query (near or bbox) answers at most limit persons with next_cursor null and truncated true when more matched", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PersonPage" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      },
      "post": {
        "tags": ["persons"], "operationId": "createPerson", "summary": "Register a person", "description": "Roles: admin, operator.",
        "parameters": [
          { "name": "Idempotency-Key", "in": "header", "description": "Makes a retried create safe: the same key and body return the first result; the same key with another body is refused", "schema": { "type": "string", "maxLength": 200 } }
        ],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PersonInput" } } } },
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "201": { "description": "Registered (or replayed: header Idempotent-Replayed)",
            "headers": {
              "ETag": { "$ref": "#/components/headers/ETag" },
              "Location": { "description": "URL of the new person", "schema": { "type": "string" } }
            },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Person" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "409": { "$ref": "#/components/responses/Problem" },
          "413": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/persons/lookup": {
      "post": {
        "tags": ["persons"], "operationId": "lookupPersonByNik", "summary": "Find a person by NIK (sent in the body, never in a URL)", "description": "Roles: admin, operator, auditor, viewer.",
        "requestBody": { "required": true, "content": { "application/json": { "schema": {
          "type": "object", "additionalProperties": false, "required": ["nik"],
          "properties": { "nik": { "type": "string", "pattern": "^[0-9]{16}$" } } } } } },
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "The person", "headers": { "ETag": { "$ref": "#/components/headers/ETag" } },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Person" } } } },
          "404": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/persons/search": {
      "post": {
        "tags": ["persons"], "operationId": "searchPersonsInPolygon", "summary": "Persons whose home is inside a polygon, with attribute filters, by id", "description": "Roles: admin, operator, auditor, viewer. Answered from the in-memory point index (503 index.loading while it loads); each person is read from the store, scoped to the caller's areas and masked like the list. A point on an edge or a vertex (of the outer ring or of a hole) counts as inside; a point strictly inside a hole does not. Coordinates are planar lon/lat: cut a polygon that crosses the antimeridian into a MultiPolygon.",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PolygonSearch" } } } },
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "At most limit persons by id; truncated true when more matched", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PersonPage" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "413": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" },
          "503": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/routes/visit": {
      "post": {
        "tags": ["routes"], "operationId": "planVisitRoute", "summary": "Order home visits from a start point (nearest neighbour, then 2-opt; great-circle metres)", "description": "Roles: admin, operator, auditor, viewer. Persons outside the caller's areas answer 404 naming persons[i]; with kelurahan, only the caller's persons of that kelurahan are routed. The route ends at the last stop. Persons without a home location are listed in unlocated.",
        "parameters": [
          { "name": "format", "in": "query", "description": "json (default), csv, or pdf (the printable visit list: A4 landscape, one row per stop with needs, caregiver, phone, distances and a column to sign)", "schema": { "type": "string", "enum": ["json", "csv", "pdf"] } }
        ],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/VisitRequest" } } } },
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "The stops in visiting order; as csv or pdf the printable visit list (a download)", "content": {
            "application/json": { "schema": { "$ref": "#/components/schemas/VisitRoute" } },
            "text/csv": { "schema": { "type": "string" } },
            "application/pdf": { "schema": { "type": "string", "format": "binary" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/hazards": {
      "get": {
        "tags": ["hazards"], "operationId": "listHazardZones", "summary": "The hazard zones as GeoJSON (the map overlay)", "description": "Roles: admin, operator, auditor, viewer.",
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "A FeatureCollection of MultiPolygons; properties name, hazard, level, source, created_at", "content": { "application/geo+json": { "schema": { "type": "object", "required": ["type", "features"], "properties": { "type": { "type": "string", "enum": ["FeatureCollection"] }, "features": { "type": "array", "items": { "type": "object" } } } } } } },
          "400": { "$ref": "#/components/responses/Problem" }
        }
      },
      "post": {
        "tags": ["hazards"], "operationId": "importHazardMap", "summary": "Upload a hazard map; its polygons become zones", "description": "Roles: admin, operator. The body is the file itself (GeoJSON, GeoPackage, KML, or a zipped Shapefile); coordinates in any CRS GDAL knows are transformed to WGS84. Each polygon's name, kind and level come from its fields (nama/name, bahaya/hazard/jenis, tingkat/level/kelas) or from the parameters. Features that are not polygons or lack a known kind or level are reported in rejected and left out.",
        "parameters": [
          { "name": "filename", "in": "query", "required": true, "description": "The file's name; its extension (.geojson, .json, .gpkg, .kml, .zip) tells the format", "schema": { "type": "string" } },
          { "name": "layer", "in": "query", "description": "Layer of the file (default: the first)", "schema": { "type": "string" } },
          { "name": "hazard", "in": "query", "description": "Kind when a feature has none: banjir, rob, tsunami, longsor, gempa, kebakaran_hutan, abrasi, cuaca_ekstrem, kekeringan (or a common label)", "schema": { "type": "string" } },
          { "name": "level", "in": "query", "description": "Level when a feature has none: rendah, sedang, tinggi", "schema": { "type": "string" } },
          { "name": "name_field", "in": "query", "schema": { "type": "string" } },
          { "name": "hazard_field", "in": "query", "schema": { "type": "string" } },
          { "name": "level_field", "in": "query", "schema": { "type": "string" } },
          { "name": "dry_run", "in": "query", "description": "true: check and report, write nothing (answers 200)", "schema": { "type": "boolean" } }
        ],
        "requestBody": { "required": true, "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } },
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "Dry run: what would be imported", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/HazardImport" } } } },
          "201": { "description": "Imported", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/HazardImport" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "413": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/stats": {
      "get": {
        "tags": ["reports"], "operationId": "getStats", "summary": "The dashboard's figures for the caller's areas", "description": "Roles: admin, operator, auditor, viewer. Counts of the persons of the caller's areas with the status asked for: by category (a person once per category), sex, age group (balita 0-4, anak 5-17, dewasa 18-59, lansia 60+, on today's date in WITA), severity (tidak_diisi when none) and kecamatan; and the new registrations per month (WITA) per kecamatan over the last `months` months, whatever the persons' status now.",
        "parameters": [
          { "name": "status", "in": "query", "description": "aktif (default), pindah, meninggal, nonaktif, or semua for every status", "schema": { "type": "string", "enum": ["aktif", "pindah", "meninggal", "nonaktif", "semua"], "default": "aktif" } },
          { "name": "months", "in": "query", "description": "How many months of new registrations, the current month last", "schema": { "type": "integer", "minimum": 1, "maximum": 36, "default": 12 } }
        ],
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "The figures", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Stats" } } } },
          "400": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/stats/flows": {
      "get": {
        "tags": ["reports"], "operationId": "getFlows", "summary": "The registry's flows per area over a period", "description": "Roles: admin, operator, auditor, viewer. For the period [from, to) in WITA and each area of the level wholly inside the caller's areas: the persons registered (aktif) at the start, the new registrations, moves in (from another area, or back from outside the city), reactivations, moves out (to another area, or out of the city: pindah), deaths, deactivations and those registered at the end, with start + in - out = end for every area and every cell of the breakdown. Computed from the registry's history by when each change was recorded, so a past period gives the same figures after later edits. The breakdown classifies each person by their last state before the period's end (age on its last day). total is the union of the areas: moves between them are neither in nor out. Definitions in docs/reports.md.",
        "parameters": [
          { "name": "period", "in": "query", "description": "A year (2026), a quarter (2026-Q3) or a month (2026-09); or give from and to", "schema": { "type": "string", "pattern": "^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$" } },
          { "name": "from", "in": "query", "description": "First day (WITA), with to instead of period", "schema": { "type": "string", "format": "date" } },
          { "name": "to", "in": "query", "description": "The day after the last (WITA), with from", "schema": { "type": "string", "format": "date" } },
          { "name": "level", "in": "query", "description": "The areas to report", "schema": { "type": "string", "enum": ["kota", "kecamatan", "kelurahan"], "default": "kecamatan" } }
        ],
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "The flows", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Flows" } } } },
          "400": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/stats/indicators": {
      "get": {
        "tags": ["reports"], "operationId": "getIndicators", "summary": "The rakor's indicators per area, with the previous period beside them", "description": "Roles: admin, operator, auditor, viewer. For each area of the level wholly inside the caller's areas, at the end of the period and of the one before it (the year, quarter or month before): the persons registered (the flows' end), per 1,000 residents (kota and kecamatan: Dukcapil/BPS 2024 figures; none for a kelurahan), with a card valid then, reached by aid delivered since 1 January of that year, with a home inside a hazard zone and farther than far_m from every facility (of facility_kind). Shares are fractions (0..1) of registered (card, aid) or of those with a home location (hazard, far); null when the denominator is 0. Definitions in docs/reports.md.",
        "parameters": [
          { "name": "period", "in": "query", "description": "A year (2026), a quarter (2026-Q3) or a month (2026-09); or give from and to", "schema": { "type": "string", "pattern": "^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$" } },
          { "name": "from", "in": "query", "description": "First day (WITA), with to instead of period", "schema": { "type": "string", "format": "date" } },
          { "name": "to", "in": "query", "description": "The day after the last (WITA), with from", "schema": { "type": "string", "format": "date" } },
          { "name": "level", "in": "query", "description": "The areas to report", "schema": { "type": "string", "enum": ["kota", "kecamatan", "kelurahan"], "default": "kecamatan" } },
          { "name": "far_m", "in": "query", "description": "A home farther than this from every facility counts as far", "schema": { "type": "integer", "minimum": 1, "maximum": 100000, "default": 5000 } },
          { "name": "facility_kind", "in": "query", "description": "Only facilities of this kind (default: any)", "schema": { "type": "string", "enum": ["puskesmas", "pustu", "rumah_sakit", "slb", "posyandu", "kantor_kelurahan", "kantor_kecamatan", "dinas_sosial"] } }
        ],
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "The indicators", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Indicators" } } } },
          "400": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/reports/rakor": {
      "get": {
        "tags": ["reports"], "operationId": "getRakorReport", "summary": "The rakor report as PDF or XLSX", "description": "Roles: admin, operator, auditor, viewer. The coordination meeting's report for the period and the caller's areas: the flows per kecamatan and per area of the level with their breakdown, the indicators with the previous period, the change per month, a choropleth map per kelurahan with the hazard zones over it (PDF), each table naming the API query that gives its figures. XLSX: one sheet per table, numbers as numbers, and a sheet Sumber listing the queries. Definitions in docs/reports.md.",
        "parameters": [
          { "name": "format", "in": "query", "required": true, "description": "pdf or xlsx", "schema": { "type": "string", "enum": ["pdf", "xlsx"] } },
          { "name": "period", "in": "query", "description": "A year (2026), a quarter (2026-Q3) or a month (2026-09); or give from and to", "schema": { "type": "string", "pattern": "^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$" } },
          { "name": "from", "in": "query", "description": "First day (WITA), with to instead of period", "schema": { "type": "string", "format": "date" } },
          { "name": "to", "in": "query", "description": "The day after the last (WITA), with from", "schema": { "type": "string", "format": "date" } },
          { "name": "level", "in": "query", "description": "The areas to report", "schema": { "type": "string", "enum": ["kota", "kecamatan", "kelurahan"], "default": "kecamatan" } },
          { "name": "far_m", "in": "query", "description": "A home farther than this from every facility counts as far", "schema": { "type": "integer", "minimum": 1, "maximum": 100000, "default": 5000 } },
          { "name": "facility_kind", "in": "query", "description": "Only facilities of this kind (default: any)", "schema": { "type": "string", "enum": ["puskesmas", "pustu", "rumah_sakit", "slb", "posyandu", "kantor_kelurahan", "kantor_kecamatan", "dinas_sosial"] } }
        ],
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "The report (attachment)", "content": { "application/pdf": { "schema": { "type": "string", "format": "binary" } }, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { "schema": { "type": "string", "format": "binary" } } } },
          "400": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/stats/flows/monthly": {
      "get": {
        "tags": ["reports"], "operationId": "getMonthlyFlows", "summary": "The registry's flows per area for each of the last months", "description": "Roles: admin, operator, auditor, viewer. The flows of /api/v1/stats/flows (without the breakdown) for each calendar month (WITA) of the last `months`, the current month last, as one series per figure.",
        "parameters": [
          { "name": "months", "in": "query", "description": "How many months, the current month last", "schema": { "type": "integer", "minimum": 1, "maximum": 36, "default": 12 } },
          { "name": "level", "in": "query", "description": "The areas to report", "schema": { "type": "string", "enum": ["kota", "kecamatan", "kelurahan"], "default": "kecamatan" } }
        ],
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "The series", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/MonthlyFlows" } } } },
          "400": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/province/package": {
      "post": {
        "tags": ["province"], "operationId": "makeProvincePackage", "summary": "Make the signed province package of a period (city)",
        "description": "Roles: admin. Makes a new package at every call (a new sequence; audited). What `kapal province package` writes: the flows per kelurahan with cells under 5 suppressed (null), the blind indexes of the NIK under the province matching key with opaque references, signed with the city's package key (docs/province.md). Audited as province.package. 404 when this instance has not joined a province.",
        "parameters": [
          { "name": "period", "in": "query", "required": true, "description": "A year (2026), quarter (2026-Q3) or month (2026-09)", "schema": { "type": "string" } }
        ],
        "responses": {
          "200": { "description": "The package file (Content-Disposition: attachment)", "content": { "application/json": { "schema": { "type": "object" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/province/review": {
      "post": {
        "tags": ["province"], "operationId": "reviewProvinceReturn", "summary": "Read the province's return back to this city's persons (city)",
        "description": "Roles: admin. The body is the return file of `kapal province returns`, as received. Verified with the province's public key (from the join) and refused when altered (422 province.signature_invalid) or made for another kab/kota (422 province.key_mismatch); its references are mapped back to this city's persons. Audited as province.review. 404 when this instance has not joined a province.",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object" } } } },
        "responses": {
          "200": { "description": "The persons to review", "content": { "application/json": { "schema": { "type": "object", "properties": {
            "items": { "type": "array", "items": { "type": "object", "properties": {
              "id": { "type": "string" }, "full_name": { "type": "string" }, "kelurahan_code": { "type": "string" },
              "status": { "type": "string" }, "other_kota": { "type": "array", "items": { "type": "string" } } } } } } } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/province/summary": {
      "get": {
        "tags": ["province"], "operationId": "getProvinceSummary", "summary": "The kab/kota side by side, per period (province instance)",
        "description": "Roles: admin, auditor, viewer. Every kab/kota of the province, whether enrolled, and for each period the total flows of its newest accepted package (suppressed figures null). 404 on an instance that is not a province.",
        "responses": {
          "200": { "description": "The kab/kota", "content": { "application/json": { "schema": { "type": "object", "properties": {
            "periods": { "type": "array", "items": { "type": "string" } },
            "kota": { "type": "array", "items": { "type": "object" } } } } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/province/cross-registered": {
      "get": {
        "tags": ["province"], "operationId": "getProvinceCrossRegistered", "summary": "Persons registered in two or more kab/kota (province instance)",
        "description": "Roles: admin. From the latest package of each kab/kota: how many persons share a NIK blind index, grouped by the kab/kota involved. Never a NIK, an index or a reference. 404 on an instance that is not a province.",
        "responses": {
          "200": { "description": "The counts", "content": { "application/json": { "schema": { "type": "object", "properties": {
            "persons": { "type": "integer" },
            "groups": { "type": "array", "items": { "type": "object" } } } } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/sync/batch": {
      "post": {
        "tags": ["sync"], "operationId": "sendSyncBatch", "summary": "Send the ops a device queued offline",
        "description": "Roles: admin, operator (person ops and service requests, inside their areas), penyalur (aid.handover). The ops are applied in the order given, each once per user and key (a batch sent twice, or cut and sent again, writes each op once), and answered one by one: applied (replayed: true when seen before), merged, conflict (kept for a supervisor), waiting (for its `after` op) or rejected (with the reason as problem+json). An edit from an older version is merged when it touches other fields than those changed meanwhile, and is a conflict when it touches the same field or when the status, NIK, KK, address or home changed meanwhile. A handover is checked on the day it was made (`at`). Only a malformed batch is refused whole (422 naming ops[i].field).",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SyncBatch" } } } },
        "responses": {
          "200": { "description": "One result per op, in order; and the waiting ops this batch released", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SyncBatchResult" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "413": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/sync/pull": {
      "get": {
        "tags": ["sync"], "operationId": "pullSync", "summary": "The persons of the user's areas (or a penyalur's handover lists), then what changed",
        "description": "Roles: admin, operator, auditor, viewer (the persons of their areas, masked as online), penyalur (the approved lists of the open cycles of their programmes). Without `since`: everything, page by page; then, with the last `next`, only the persons changed since, and the ids to drop (moved out of the areas, or merged into another record).",
        "parameters": [
          { "name": "since", "in": "query", "description": "The `next` of the previous answer", "schema": { "type": "string", "maxLength": 250 } },
          { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 2000, "default": 500 } }
        ],
        "responses": {
          "200": { "description": "A page", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SyncPull" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/sync/conflicts": {
      "get": {
        "tags": ["sync"], "operationId": "listSyncConflicts", "summary": "Edits from the field that could not be merged",
        "description": "Roles: admin (all), operator (their areas), auditor (all). Oldest first.",
        "parameters": [
          { "name": "status", "in": "query", "schema": { "type": "string", "enum": ["open", "resolved"], "default": "open" } },
          { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 100 } },
          { "name": "cursor", "in": "query", "schema": { "type": "string" } }
        ],
        "responses": {
          "200": { "description": "A page", "content": { "application/json": { "schema": { "type": "object", "required": ["items", "next_cursor"], "properties": {
            "items": { "type": "array", "items": { "$ref": "#/components/schemas/SyncConflictSummary" } },
            "next_cursor": { "type": ["string", "null"] } } } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/sync/conflicts/{id}": {
      "get": {
        "tags": ["sync"], "operationId": "getSyncConflict", "summary": "One conflict: each field as the device started from it, as it is now, and as the device wanted it",
        "description": "Roles: admin, operator (their areas), auditor. NIK, KK and account numbers masked.",
        "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
        "responses": {
          "200": { "description": "The conflict", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SyncConflict" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/sync/conflicts/{id}/resolve": {
      "post": {
        "tags": ["sync"], "operationId": "resolveSyncConflict", "summary": "Resolve a conflict, field by field (supervisor)",
        "description": "Roles: admin. Every field of the conflict chosen `mine` (the device's) or `theirs` (as it is now); the fields chosen mine are written in a new version of the person. 412 version_conflict when the person changed since it was shown (`version`), or the conflict was resolved meanwhile. Audited as sync.conflict.resolve.",
        "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["version", "choose", "reason"], "additionalProperties": false, "properties": {
          "version": { "type": "integer", "description": "The person's current_version as shown" },
          "choose": { "type": "object", "additionalProperties": { "type": "string", "enum": ["mine", "theirs"] } },
          "reason": { "type": "string", "minLength": 5, "maxLength": 500 } } } } } },
        "responses": {
          "200": { "description": "Resolved", "content": { "application/json": { "schema": { "type": "object", "properties": {
            "id": { "type": "string" }, "state": { "type": "string" }, "person_id": { "type": "string" }, "version": { "type": "integer" }, "decided_by": { "type": "string" } } } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "412": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/imports/template": {
      "get": {
        "tags": ["imports"], "operationId": "getImportTemplate", "summary": "The import template", "description": "Roles: admin, operator. The header row of the columns the import reads; the XLSX adds dropdowns and an instructions sheet.",
        "parameters": [
          { "name": "format", "in": "query", "description": "xlsx (default) or csv", "schema": { "type": "string", "enum": ["xlsx", "csv"], "default": "xlsx" } }
        ],
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "template-penyandang-disabilitas.xlsx or .csv", "content": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { "schema": { "type": "string", "format": "binary" } },
            "text/csv": { "schema": { "type": "string" } } } },
          "400": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/imports/persons": {
      "post": {
        "tags": ["imports"], "operationId": "importPersons", "summary": "Import persons from an uploaded CSV or XLSX file (or check it: dry_run)", "description": "Roles: admin, operator. The body is the file itself (at most body_limit_bytes). Every good row is imported and every bad one reported with its row, column and reason, and kept in rejects_csv (the row as it came, then Baris and Alasan). Rows of a kelurahan outside the caller's areas are refused (code forbidden). A row whose NIK is stored already is unchanged or, when it differs, reported in changes and left as stored. The same file twice changes nothing.",
        "parameters": [
          { "name": "filename", "in": "query", "required": true, "description": "The file's name; its extension (.csv, .txt, .xlsx) tells the format", "schema": { "type": "string" } },
          { "name": "dry_run", "in": "query", "description": "true: check and count every row, write nothing", "schema": { "type": "boolean", "default": false } }
        ],
        "requestBody": { "required": true, "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } },
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "The report of the import or of the dry run", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PersonImport" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "413": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/facilities": {
      "get": {
        "tags": ["facilities"], "operationId": "listFacilities", "summary": "The facilities as GeoJSON points", "description": "Roles: admin, operator, auditor, viewer.",
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "A FeatureCollection of Points; properties kind, name, kelurahan_code, address, phone, source, created_at", "content": { "application/geo+json": { "schema": { "type": "object", "required": ["type", "features"], "properties": { "type": { "type": "string", "enum": ["FeatureCollection"] }, "features": { "type": "array", "items": { "type": "object" } } } } } } },
          "400": { "$ref": "#/components/responses/Problem" }
        }
      },
      "post": {
        "tags": ["facilities"], "operationId": "importFacilities", "summary": "Upload a file of facilities; its points become facilities", "description": "Roles: admin, operator. The body is the file itself (GeoJSON, GeoPackage, KML, a zipped Shapefile, or CSV with lon/lat columns). Each point's name and kind come from its fields (nama/name, jenis/kind/tipe) or the kind parameter; each is located in its kelurahan. Features that are not points or lack a known kind are reported in rejected and left out.",
        "parameters": [
          { "name": "filename", "in": "query", "required": true, "description": "The file's name; its extension (.geojson, .json, .gpkg, .kml, .csv, .zip) tells the format", "schema": { "type": "string" } },
          { "name": "layer", "in": "query", "description": "Layer of the file (default: the first)", "schema": { "type": "string" } },
          { "name": "kind", "in": "query", "description": "Kind when a feature has none: puskesmas, pustu, rumah_sakit, slb, posyandu, kantor_kelurahan, kantor_kecamatan, dinas_sosial (or a common label)", "schema": { "type": "string" } },
          { "name": "name_field", "in": "query", "schema": { "type": "string" } },
          { "name": "kind_field", "in": "query", "schema": { "type": "string" } },
          { "name": "dry_run", "in": "query", "description": "true: check and report, write nothing (answers 200)", "schema": { "type": "boolean" } }
        ],
        "requestBody": { "required": true, "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } },
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "Dry run: what would be imported", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/FacilityImport" } } } },
          "201": { "description": "Imported", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/FacilityImport" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "413": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/facilities/coverage": {
      "get": {
        "tags": ["facilities"], "operationId": "getFacilityCoverage", "summary": "Active persons living farther than max_m metres (great-circle) from every facility of a kind", "description": "Roles: admin, operator, auditor, viewer. Only persons of the caller's areas with a home are counted and listed (never refused for scope); persons are masked as everywhere. Farthest first.",
        "parameters": [
          { "name": "kind", "in": "query", "required": true, "description": "Facility kind (a code or a common label)", "schema": { "type": "string" } },
          { "name": "max_m", "in": "query", "required": true, "description": "Metres, more than 0 and at most 100000", "schema": { "type": "number" } }
        ],
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "The report", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/FacilityCoverage" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/facilities/nearest": {
      "get": {
        "tags": ["facilities"], "operationId": "getNearestFacilities", "summary": "Every active person of the caller's areas with a home, and the facility of a kind nearest to it", "description": "Roles: admin, operator, auditor, viewer. Only persons of the caller's areas with a home are listed (never refused for scope); persons are masked as everywhere. In id order.",
        "parameters": [
          { "name": "kind", "in": "query", "required": true, "description": "Facility kind (a code or a common label)", "schema": { "type": "string" } },
          { "name": "format", "in": "query", "description": "json (default) or csv (a download)", "schema": { "type": "string", "enum": ["json", "csv"] } }
        ],
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "The persons and their nearest facility", "content": {
            "application/json": { "schema": { "type": "object", "required": ["kind", "items"], "properties": {
              "kind": { "type": "string" },
              "items": { "type": "array", "items": { "type": "object", "required": ["nearest", "person"], "properties": {
                "nearest": { "oneOf": [ { "type": "null" }, { "$ref": "#/components/schemas/NearestFacility" } ] },
                "person": { "$ref": "#/components/schemas/Person" } } } } } } },
            "text/csv": { "schema": { "type": "string" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/persons/{id}/facilities": {
      "parameters": [ { "$ref": "#/components/parameters/PersonId" } ],
      "get": {
        "tags": ["facilities"], "operationId": "getPersonNearestFacilities", "summary": "The nearest facility of each kind to a person's home, and its distance", "description": "Roles: admin, operator, auditor, viewer. A person outside the caller's areas answers 404. Empty when the person has no home location; kinds without any facility are left out.",
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "One entry per kind, in the kinds' order", "content": { "application/json": { "schema": { "type": "object", "required": ["person_id", "nearest"], "properties": {
            "person_id": { "type": "string", "format": "uuid" },
            "nearest": { "type": "array", "items": { "$ref": "#/components/schemas/NearestFacility" } } } } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/hazards/{id}/evacuation": {
      "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } } ],
      "get": {
        "tags": ["hazards"], "operationId": "getEvacuationList", "summary": "Who must be helped out of a zone: active persons inside it with their needs, by RT, in walking order", "description": "Roles: admin, operator, auditor, viewer. Only persons of the caller's areas are listed (never refused for scope). At most 1000 persons (truncated: true beyond).",
        "parameters": [
          { "name": "format", "in": "query", "description": "json (default), csv or pdf (printable, A4 landscape)", "schema": { "type": "string", "enum": ["json", "csv", "pdf"] } },
          { "name": "start", "in": "query", "description": "Start of the walk: lon,lat (default: the zone's north-western corner)", "schema": { "type": "string" } }
        ],
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "The list", "content": {
            "application/json": { "schema": { "$ref": "#/components/schemas/EvacuationList" } },
            "text/csv": { "schema": { "type": "string" } },
            "application/pdf": { "schema": { "type": "string", "format": "binary" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "503": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/persons/{id}": {
      "parameters": [ { "$ref": "#/components/parameters/PersonId" } ],
      "get": {
        "tags": ["persons"], "operationId": "getPerson", "summary": "Read a person, now or as of an instant", "description": "Roles: admin, operator, auditor, viewer.",
        "parameters": [
          { "name": "as_of", "in": "query", "description": "ISO 8601 UTC instant: the state at that time", "schema": { "type": "string", "format": "date-time" } },
          { "name": "redirect", "in": "query", "description": "false: a record merged into another answers with its own last state instead of the redirect", "schema": { "type": "string", "enum": ["false"] } }
        ],
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "The person", "headers": { "ETag": { "$ref": "#/components/headers/ETag" } },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Person" } } } },
          "304": { "description": "Not modified (If-None-Match)" },
          "308": { "description": "The record was merged into another (the duplicate review): Location names it; the body is the problem person.merged", "headers": { "Location": { "schema": { "type": "string" } } }, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      },
      "put": {
        "tags": ["persons"], "operationId": "replacePerson", "summary": "Replace a person's data (omit nik/kk to keep them)", "description": "Roles: admin, operator.",
        "parameters": [
          { "name": "If-Match", "in": "header", "required": true, "description": "The ETag read with the record", "schema": { "type": "string" } }
        ],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PersonInput" } } } },
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "Updated", "headers": { "ETag": { "$ref": "#/components/headers/ETag" } },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Person" } } } },
          "404": { "$ref": "#/components/responses/Problem" },
          "412": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" },
          "428": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/persons/{id}/photo": {
      "parameters": [ { "$ref": "#/components/parameters/PersonId" } ],
      "get": {
        "tags": ["persons"], "operationId": "getPersonPhoto", "summary": "A person's photo",
        "description": "Roles: admin, operator, auditor, viewer (their areas; 404 outside, and when the person has no photo). ETag = the photo's file id; Cache-Control: private, no-cache.",
        "parameters": [ { "name": "If-None-Match", "in": "header", "required": false, "schema": { "type": "string" } } ],
        "responses": {
          "200": { "description": "The picture", "content": { "image/jpeg": { "schema": { "type": "string", "format": "binary" } }, "image/png": { "schema": { "type": "string", "format": "binary" } } } },
          "304": { "description": "Not modified (If-None-Match)" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      },
      "put": {
        "tags": ["persons"], "operationId": "setPersonPhoto", "summary": "Upload a person's photo (JPEG or PNG, at most 512 KiB, 32 to 4096 pixels a side)",
        "description": "Roles: admin, operator (their areas). The photo is stored sealed and the person gets a new version whose photo_id names it; audited as person.update and person.file.add. Errors name the field photo: 415 person.photo_type_unsupported, 413 person.photo_too_large, 422 person.photo_invalid.",
        "parameters": [
          { "name": "If-Match", "in": "header", "required": true, "description": "The ETag of the person", "schema": { "type": "string" } }
        ],
        "requestBody": { "required": true, "content": { "image/jpeg": { "schema": { "type": "string", "format": "binary" } }, "image/png": { "schema": { "type": "string", "format": "binary" } } } },
        "responses": {
          "200": { "description": "The person with its new photo_id", "headers": { "ETag": { "$ref": "#/components/headers/ETag" } },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Person" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "412": { "$ref": "#/components/responses/Problem" },
          "413": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" },
          "428": { "$ref": "#/components/responses/Problem" }
        }
      },
      "delete": {
        "tags": ["persons"], "operationId": "removePersonPhoto", "summary": "Remove a person's photo (a new version without photo_id; the file stays for the history)",
        "description": "Roles: admin, operator (their areas). 404 when the person has no photo.",
        "parameters": [
          { "name": "If-Match", "in": "header", "required": true, "description": "The ETag of the person", "schema": { "type": "string" } }
        ],
        "responses": {
          "200": { "description": "The person without a photo", "headers": { "ETag": { "$ref": "#/components/headers/ETag" } },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Person" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "412": { "$ref": "#/components/responses/Problem" },
          "428": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/persons/{id}/reveal": {
      "parameters": [ { "$ref": "#/components/parameters/PersonId" } ],
      "post": {
        "tags": ["persons"], "operationId": "revealPersonNumbers", "summary": "NIK, KK and account number in clear, with the purpose recorded in the audit log",
        "description": "Roles: admin, operator (own areas), auditor.",
        "requestBody": { "required": true, "content": { "application/json": { "schema": {
          "type": "object", "additionalProperties": false, "required": ["purpose"],
          "properties": { "purpose": { "type": "string", "minLength": 5, "maxLength": 500, "description": "Why the numbers are needed, e.g. verifikasi KTP untuk bansos" } } } } } },
        "responses": {
          "200": { "description": "The numbers (Cache-Control: no-store)", "content": { "application/json": { "schema": {
            "type": "object", "required": ["id", "nik"], "properties": {
              "id": { "type": "string", "format": "uuid" }, "nik": { "type": "string" },
              "kk": { "type": ["string", "null"] }, "account_number": { "type": ["string", "null"] } } } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/map/clusters": {
      "get": {
        "tags": ["maps"], "operationId": "getMapClusters", "summary": "Clusters of the homes in view, counted on the server",
        "description": "Roles: admin, operator, auditor, viewer; only persons in the caller's areas. The view is cut into square cells of 360/2^(zoom+2) degrees (64 px of a 256 px web-map tile), counted from (-180, -90): column floor((lon+180)/cell_deg), row floor((lat+90)/cell_deg); a point on an edge belongs to the cell east or north of it. Every cell the box touches is answered with the persons of the whole cell, so answers do not change while a map pans. At zoom 15 and above a cluster of one person carries the person's id (read the person with GET /api/v1/persons/{id}); nothing else about a person is ever in a cluster. 503 index.loading while the server loads its index.",
        "parameters": [
          { "name": "bbox", "in": "query", "required": true, "description": "west,south,east,north in degrees; west > east crosses the antimeridian. At most 16384 cells at this zoom", "schema": { "type": "string", "example": "117.38,0.05,117.56,0.22" } },
          { "name": "zoom", "in": "query", "required": true, "description": "Web-map zoom level", "schema": { "type": "integer", "minimum": 0, "maximum": 22 } },
          { "name": "category", "in": "query", "schema": { "$ref": "#/components/schemas/Category" } },
          { "name": "severity", "in": "query", "schema": { "$ref": "#/components/schemas/Severity" } },
          { "name": "status", "in": "query", "schema": { "$ref": "#/components/schemas/Status" } }
        ],
        "responses": {
          "200": { "description": "The clusters, by cell", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ClusterAnswer" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" },
          "503": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/areas": {
      "get": {
        "tags": ["maps"], "operationId": "getAreas", "summary": "Areas as GeoJSON with counts per category and status, for choropleths",
        "description": "Roles: admin, operator, auditor, viewer. Areas of the level that lie within the caller's areas (others are left out), each counting the persons whose kelurahan lies in it and who pass the filters. per_1000 is per 1,000 residents where the reference data has a population figure (kecamatan, kota), else null. 503 index.loading while the server loads its index.",
        "parameters": [
          { "name": "level", "in": "query", "schema": { "type": "string", "enum": ["kelurahan", "kecamatan", "kota"], "default": "kelurahan" } },
          { "name": "category", "in": "query", "schema": { "$ref": "#/components/schemas/Category" } },
          { "name": "severity", "in": "query", "schema": { "$ref": "#/components/schemas/Severity" } },
          { "name": "status", "in": "query", "schema": { "$ref": "#/components/schemas/Status" } }
        ],
        "responses": {
          "200": { "description": "A GeoJSON FeatureCollection (RFC 7946)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AreaCollection" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" },
          "503": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/public/areas": {
      "get": {
        "tags": ["maps"], "operationId": "getPublicAreas", "summary": "The public map: active persons per area, small cells suppressed", "security": [],
        "description": "Anyone, without signing in. Only the count of active persons per area. Counts of 1 to 4 are hidden (count null, suppressed true); wherever a shown total (a kecamatan over its kelurahan, the kota over its kecamatan) would give a hidden count back by subtraction, one more area is hidden: the smallest non-zero shown part, else the total; repeated until no relation has a single hidden member or hidden parts too small to differ. Suppression is computed over all levels at once, whichever level is asked for. 503 index.loading while the server loads its index.",
        "parameters": [
          { "name": "level", "in": "query", "schema": { "type": "string", "enum": ["kelurahan", "kecamatan", "kota"], "default": "kelurahan" } }
        ],
        "responses": {
          "200": { "description": "A GeoJSON FeatureCollection (RFC 7946)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PublicAreaCollection" } } } },
          "422": { "$ref": "#/components/responses/Problem" },
          "503": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/auth/login": {
      "post": {
        "tags": ["auth"], "operationId": "login", "summary": "Sign in: sets the session cookie, returns the CSRF token", "security": [],
        "description": "Unknown user and wrong password get the same 401. Repeated failures per account and per address get 429 with Retry-After (growing waits). Any session cookie sent along is ended: the session is always new.",
        "requestBody": { "required": true, "content": { "application/json": { "schema": {
          "type": "object", "additionalProperties": false, "required": ["username", "password"],
          "properties": { "username": { "type": "string" }, "password": { "type": "string", "format": "password" } } } } } },
        "responses": {
          "200": { "description": "Signed in", "headers": { "Set-Cookie": { "description": "kapal_session (or __Host-kapal_session over TLS); HttpOnly; SameSite=Strict", "schema": { "type": "string" } } },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/LoginAnswer" } } } },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "429": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/auth/logout": {
      "post": {
        "tags": ["auth"], "operationId": "logout", "summary": "End this session", "description": "Roles: any signed-in user.",
        "responses": { "204": { "description": "Signed out; the cookie is cleared" }, "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" } }
      }
    },
    "/api/v1/auth/me": {
      "get": {
        "tags": ["auth"], "operationId": "whoAmI", "summary": "The signed-in user, role, areas and CSRF token", "description": "Roles: any signed-in user.",
        "responses": { "200": { "description": "Who is asking", "content": { "application/json": { "schema": { "type": "object" } } } },
          "401": { "$ref": "#/components/responses/Problem" } }
      }
    },
    "/api/v1/auth/sessions": {
      "get": {
        "tags": ["auth"], "operationId": "listMySessions", "summary": "My open sessions, newest first", "description": "Roles: any signed-in user.",
        "responses": { "200": { "description": "Sessions", "content": { "application/json": { "schema": { "type": "object", "required": ["items"], "properties": {
          "items": { "type": "array", "items": { "$ref": "#/components/schemas/Session" } } } } } } },
          "401": { "$ref": "#/components/responses/Problem" } }
      }
    },
    "/api/v1/auth/sessions/{id}": {
      "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
      "delete": {
        "tags": ["auth"], "operationId": "revokeMySession", "summary": "End one of my sessions (e.g. a lost phone)", "description": "Roles: any signed-in user; only their own sessions (others answer 404).",
        "responses": { "204": { "description": "Ended" }, "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" } }
      }
    },
    "/api/v1/users": {
      "get": {
        "tags": ["auth"], "operationId": "listUsers", "summary": "Every account (never passwords)", "description": "Roles: admin.",
        "responses": { "200": { "description": "Accounts", "content": { "application/json": { "schema": { "type": "object", "required": ["items"], "properties": {
          "items": { "type": "array", "items": { "$ref": "#/components/schemas/User" } } } } } } },
          "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" } }
      },
      "post": {
        "tags": ["auth"], "operationId": "addUser", "summary": "Add an account; its generated password is shown once", "description": "Roles: admin. Audited as user.create with the admin as actor. Operator and viewer accounts need at least one area (Kemendagri code of the kota, a kecamatan or a kelurahan).",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["username", "role"], "additionalProperties": false, "properties": {
          "username": { "type": "string" }, "display_name": { "type": "string" },
          "role": { "type": "string", "enum": ["admin", "operator", "auditor", "viewer", "penyalur", "merchant"] },
          "area_codes": { "type": "array", "items": { "type": "string" } } } } } } },
        "responses": {
          "201": { "description": "Added", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/UserWithPassword" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "409": { "$ref": "#/components/responses/Problem" },
          "415": { "$ref": "#/components/responses/Problem" },
          "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/users/{username}/disable": {
      "post": {
        "tags": ["auth"], "operationId": "disableUser", "summary": "Disable an account and end its sessions", "description": "Roles: admin (not their own account). Audited as user.update.",
        "parameters": [ { "name": "username", "in": "path", "required": true, "schema": { "type": "string" } } ],
        "responses": {
          "200": { "description": "The account", "content": { "application/json": { "schema": { "type": "object", "required": ["user"], "properties": { "user": { "$ref": "#/components/schemas/User" } } } } } },
          "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }, "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/users/{username}/enable": {
      "post": {
        "tags": ["auth"], "operationId": "enableUser", "summary": "Enable a disabled account", "description": "Roles: admin. Audited as user.update.",
        "parameters": [ { "name": "username", "in": "path", "required": true, "schema": { "type": "string" } } ],
        "responses": {
          "200": { "description": "The account", "content": { "application/json": { "schema": { "type": "object", "required": ["user"], "properties": { "user": { "$ref": "#/components/schemas/User" } } } } } },
          "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/users/{username}/password": {
      "post": {
        "tags": ["auth"], "operationId": "resetUserPassword", "summary": "Give an account a new generated password (shown once) and end its sessions", "description": "Roles: admin. Audited as user.update.",
        "parameters": [ { "name": "username", "in": "path", "required": true, "schema": { "type": "string" } } ],
        "responses": {
          "200": { "description": "The new password", "content": { "application/json": { "schema": { "type": "object", "required": ["username", "password"], "properties": { "username": { "type": "string" }, "password": { "type": "string" } } } } } },
          "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/duplicates": {
      "get": {
        "tags": ["duplicates"], "operationId": "listDuplicatePairs", "summary": "The duplicate review queue, oldest first",
        "description": "Roles: admin, operator, auditor. Pairs with either home in the caller's areas; a person outside them is null (no id, no kelurahan, no name). See docs/integrity.md, \"Review queue\".",
        "parameters": [
          { "name": "state", "in": "query", "schema": { "type": "string", "enum": ["terbuka", "digabung", "berbeda"] } },
          { "name": "person_id", "in": "query", "description": "Only pairs naming this person", "schema": { "type": "string" } },
          { "name": "cursor", "in": "query", "description": "next_cursor of the previous page", "schema": { "type": "string" } },
          { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 100 } }
        ],
        "responses": {
          "200": { "description": "A page of pairs", "content": { "application/json": { "schema": { "type": "object", "required": ["items", "next_cursor"], "properties": {
            "items": { "type": "array", "items": { "allOf": [ { "$ref": "#/components/schemas/DuplicatePair" }, { "type": "object", "properties": {
              "a_name": { "type": ["string", "null"] }, "b_name": { "type": ["string", "null"] } } } ] } },
            "next_cursor": { "type": ["string", "null"] } } } } } },
          "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }, "422": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/duplicates/scan": {
      "post": {
        "tags": ["duplicates"], "operationId": "scanDuplicates", "summary": "Compare every active person with the others and queue the likely duplicates",
        "description": "Roles: admin. The linkage engine's batch run (blocking, Fellegi–Sunter scores, threshold 10) over every active, unmerged person; pairs already known, open or decided, are left as they are. Synchronous: minutes at a province's size (docs/PERFORMANCE.md). Also `kapal duplicates scan --data DIR`.",
        "responses": {
          "200": { "description": "What the scan did", "content": { "application/json": { "schema": { "type": "object", "required": ["persons", "compared", "found", "added"], "properties": {
            "persons": { "type": "integer" }, "compared": { "type": "integer", "description": "Candidate pairs scored" }, "found": { "type": "integer", "description": "Pairs at or above the threshold" }, "added": { "type": "integer", "description": "Of them, new to the queue" } } } } } },
          "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/duplicates/{id}": {
      "parameters": [ { "name": "id", "in": "path", "required": true, "description": "Pair id (UUIDv7)", "schema": { "type": "string" } } ],
      "get": {
        "tags": ["duplicates"], "operationId": "getDuplicatePair", "summary": "One pair with both records as they are now",
        "description": "Roles: admin, operator, auditor (either home in their areas; a record outside them is null).",
        "responses": {
          "200": { "description": "The pair and both records", "headers": { "ETag": { "$ref": "#/components/headers/ETag" } }, "content": { "application/json": { "schema": { "allOf": [ { "$ref": "#/components/schemas/DuplicatePair" }, { "type": "object", "properties": {
            "a": { "oneOf": [ { "$ref": "#/components/schemas/Person" }, { "type": "null" } ] },
            "b": { "oneOf": [ { "$ref": "#/components/schemas/Person" }, { "type": "null" } ] } } } ] } } } },
          "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/duplicates/{id}/distinct": {
      "parameters": [ { "name": "id", "in": "path", "required": true, "description": "Pair id (UUIDv7)", "schema": { "type": "string" } } ],
      "post": {
        "tags": ["duplicates"], "operationId": "markDuplicatePairDistinct", "summary": "Decide that the pair is two different persons: never proposed again",
        "description": "Roles: admin, or an operator whose areas hold both homes. Audited as duplicate.distinct with the reason.",
        "parameters": [ { "name": "If-Match", "in": "header", "required": true, "description": "The pair's ETag", "schema": { "type": "string" } } ],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["reason"], "properties": { "reason": { "type": "string", "minLength": 5, "maxLength": 500 } } } } } },
        "responses": {
          "200": { "description": "The decided pair", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/DuplicatePair" } } } },
          "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }, "409": { "$ref": "#/components/responses/Problem" }, "412": { "$ref": "#/components/responses/Problem" }, "422": { "$ref": "#/components/responses/Problem" }, "428": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/duplicates/{id}/merge": {
      "parameters": [ { "name": "id", "in": "path", "required": true, "description": "Pair id (UUIDv7)", "schema": { "type": "string" } } ],
      "post": {
        "tags": ["duplicates"], "operationId": "mergeDuplicatePair", "summary": "Merge the pair: keep one record, the other becomes nonaktif and redirects to it",
        "description": "Roles: admin, or an operator whose areas hold both homes. In one transaction: the pair is decided digabung and the other record gets a new version (status nonaktif, dated today, merged_into = keep_id, the reason in status_reason; its active card revoked). Both histories are kept; GET /api/v1/persons/{old} answers 308 to the record kept. 409 person.merged when either record was already merged.",
        "parameters": [ { "name": "If-Match", "in": "header", "required": true, "description": "The pair's ETag", "schema": { "type": "string" } } ],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["keep_id", "reason"], "properties": { "keep_id": { "type": "string", "description": "The record that stays (person_a or person_b)" }, "reason": { "type": "string", "minLength": 5, "maxLength": 500 } } } } } },
        "responses": {
          "200": { "description": "The decided pair and the merged record", "content": { "application/json": { "schema": { "allOf": [ { "$ref": "#/components/schemas/DuplicatePair" }, { "type": "object", "properties": { "absorbed": { "$ref": "#/components/schemas/Person" } } } ] } } } },
          "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }, "409": { "$ref": "#/components/responses/Problem" }, "412": { "$ref": "#/components/responses/Problem" }, "422": { "$ref": "#/components/responses/Problem" }, "428": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/audit": {
      "get": {
        "tags": ["auth"], "operationId": "listAudit", "summary": "The audit log, newest first", "description": "Roles: admin, auditor.",
        "parameters": [
          { "name": "actor", "in": "query", "schema": { "type": "string" } },
          { "name": "action", "in": "query", "description": "e.g. person.unmask, person.update, session.create", "schema": { "type": "string" } },
          { "name": "subject", "in": "query", "description": "Id of the person, user, session or token", "schema": { "type": "string" } },
          { "name": "before", "in": "query", "description": "next_before of the previous page", "schema": { "type": "integer", "minimum": 1 } },
          { "name": "from", "in": "query", "description": "Only entries written at or after this instant (ISO 8601 UTC; a date means its midnight UTC)", "schema": { "type": "string" } },
          { "name": "to", "in": "query", "description": "Only entries written before this instant (exclusive)", "schema": { "type": "string" } },
          { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 100 } }
        ],
        "responses": { "200": { "description": "Entries", "content": { "application/json": { "schema": { "type": "object", "required": ["items", "next_before"], "properties": {
          "items": { "type": "array", "items": { "$ref": "#/components/schemas/AuditEntry" } },
          "next_before": { "type": ["integer", "null"] } } } } } },
          "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" } }
      }
    },
    "/api/v1/audit/verify": {
      "get": {
        "tags": ["auth"], "operationId": "verifyAudit", "summary": "Check that the audit log is whole, as `kapal audit verify` does",
        "description": "Roles: admin, auditor. Walks the hash chain from the first entry and compares it with the signed checkpoints of the data directory; the first entry that does not follow, and every checkpoint that does not match, is a finding. One check runs at a time.",
        "responses": {
          "200": { "description": "The result", "content": { "application/json": { "schema": { "type": "object",
            "required": ["intact", "entries", "last_seq", "checkpoints_checked", "findings", "checked_at", "duration_ms"],
            "properties": {
              "intact": { "type": "boolean", "description": "true when there is no finding" },
              "entries": { "type": "integer", "description": "entries chained before the first finding" },
              "last_seq": { "type": "integer" },
              "checkpoints_checked": { "type": "integer" },
              "findings": { "type": "array", "items": { "type": "object", "required": ["seq", "message"], "properties": {
                "seq": { "type": "integer", "description": "the first entry concerned; 0 for the log as a whole" },
                "message": { "type": "string" } } } },
              "checked_at": { "type": "string", "format": "date-time" },
              "duration_ms": { "type": "integer" } } } } } },
          "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/persons/{id}/aid": {
      "parameters": [ { "$ref": "#/components/parameters/PersonId" } ],
      "get": {
        "tags": ["aid"], "operationId": "listPersonAid", "summary": "Every delivery of aid to a person, every programme and cycle, oldest first",
        "description": "Roles: admin, operator, auditor, viewer (their areas). The Detail page's aid received: each delivery (handover, transfer line or voucher entitlement) with its programme and cycle named; a failed transfer with the bank's reason.",
        "responses": {
          "200": { "description": "The deliveries", "content": { "application/json": { "schema": { "type": "object", "required": ["items"], "properties": {
            "items": { "type": "array", "items": { "type": "object", "required": ["id", "cycle_id", "program_code", "channel", "state", "amount", "recorded_at"], "properties": {
              "id": { "type": "string" }, "cycle_id": { "type": "string" }, "program_code": { "type": "string" },
              "program_name": { "type": "string" }, "cycle_number": { "type": "integer" }, "cycle_name": { "type": "string" },
              "person_id": { "type": "string" }, "kelurahan_code": { "type": "string" },
              "channel": { "type": "string", "enum": ["langsung", "transfer", "voucher"] },
              "state": { "type": "string", "enum": ["pending", "delivered", "failed"] },
              "amount": { "type": "integer", "description": "Rupiah" },
              "recorded_at": { "type": "string", "format": "date-time" },
              "officer": { "type": "string" },
              "evidence": { "type": ["string", "null"], "description": "Path of the photo or signature" },
              "fail_reason": { "type": "string" },
              "flags": { "type": "array", "items": { "type": "string" } } } } } } } } } },
          "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/persons/{id}/versions": {
      "parameters": [ { "$ref": "#/components/parameters/PersonId" } ],
      "get": {
        "tags": ["persons"], "operationId": "listPersonVersions", "summary": "Every version of a person, oldest first", "description": "Roles: admin, operator, auditor, viewer.",
        "responses": {
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "200": { "description": "The history", "content": { "application/json": { "schema": {
            "type": "object", "required": ["items"],
            "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/PersonVersion" } } } } } } },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/exports/persons": {
      "get": {
        "tags": ["persons"], "operationId": "exportPersons", "summary": "Download persons as GeoJSON, GeoPackage, CSV or XLSX, in Kapal's columns or the DTKS layout",
        "description": "Roles: admin, operator, auditor, viewer. Every person in the caller's areas (also those without a home: no geometry), NIK and KK masked; the same files as `kapal export persons` (GeoJSON and GeoPackage: layer persons, one point per home; CSV and XLSX: the import template's columns with Latitude and Longitude, plus ID, Versi, Diubah). With `layout=dtks`, CSV (the default then) or XLSX in the national DTKS individual layout (docs/dtks.md), which the import reads back; GeoJSON and GeoPackage are refused for it (400 naming `layout`). Made in one piece: for a province or more, use the command line.",
        "parameters": [ { "$ref": "#/components/parameters/PersonExportFormat" }, { "$ref": "#/components/parameters/ExportLayout" } ],
        "responses": {
          "200": { "description": "The file (Content-Disposition: attachment; persons.<format>, or persons-dtks.<format> in the DTKS layout)", "content": {
            "application/geo+json": { "schema": { "type": "object" } },
            "application/geopackage+sqlite3": { "schema": { "type": "string", "contentEncoding": "binary" } },
            "text/csv": { "schema": { "type": "string" } },
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { "schema": { "type": "string", "contentEncoding": "binary" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/api/v1/exports/areas": {
      "get": {
        "tags": ["ogc"], "operationId": "exportAreas", "security": [], "summary": "Download the kota, kecamatan and kelurahan polygons",
        "description": "Open. GeoJSON and GeoPackage: layer areas (code, name, level, parent_code); CSV: code, name, level, parent_code, lon and lat of a point inside the area, and the polygons as WKT.",
        "parameters": [ { "$ref": "#/components/parameters/ExportFormat" } ],
        "responses": {
          "200": { "description": "The file (Content-Disposition: attachment)", "content": {
            "application/geo+json": { "schema": { "type": "object" } },
            "application/geopackage+sqlite3": { "schema": { "type": "string", "contentEncoding": "binary" } },
            "text/csv": { "schema": { "type": "string" } } } },
          "400": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/ogc": {
      "get": {
        "tags": ["ogc"], "operationId": "getOgcLanding", "security": [], "summary": "OGC API – Features landing page",
        "description": "Links to this document (service-desc), the conformance classes and the collections. Open.",
        "parameters": [ { "$ref": "#/components/parameters/OgcFormat" } ],
        "responses": {
          "200": { "description": "The landing page", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/OgcLinks" } } } },
          "400": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/ogc/conformance": {
      "get": {
        "tags": ["ogc"], "operationId": "getOgcConformance", "security": [], "summary": "Conformance classes (core, geojson)",
        "parameters": [ { "$ref": "#/components/parameters/OgcFormat" } ],
        "responses": {
          "200": { "description": "conformsTo", "content": { "application/json": { "schema": { "type": "object", "properties": { "conformsTo": { "type": "array", "items": { "type": "string" } } } } } } },
          "400": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/ogc/collections": {
      "get": {
        "tags": ["ogc"], "operationId": "getOgcCollections", "security": [], "summary": "The collections: id, title, extent (CRS84), links to items",
        "parameters": [ { "$ref": "#/components/parameters/OgcFormat" } ],
        "responses": {
          "200": { "description": "The collections", "content": { "application/json": { "schema": { "type": "object" } } } },
          "400": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/ogc/collections/{collectionId}": {
      "get": {
        "tags": ["ogc"], "operationId": "getOgcCollection", "security": [], "summary": "One collection's description",
        "parameters": [ { "$ref": "#/components/parameters/CollectionId" }, { "$ref": "#/components/parameters/OgcFormat" } ],
        "responses": {
          "200": { "description": "The collection", "content": { "application/json": { "schema": { "type": "object" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/ogc/collections/{collectionId}/items": {
      "get": {
        "tags": ["ogc"], "operationId": "getOgcItems", "summary": "Features of a collection, a page at a time",
        "description": "GeoJSON FeatureCollection with numberMatched, numberReturned, timeStamp and links (self, collection, next while more match, prev after the first page). persons: roles admin, operator, auditor, viewer; only persons with a home location inside the caller's areas, in id order; NIK and KK masked; 503 index.loading while the server loads its point index. areas: open. An unknown parameter, or a bad value, is a 400 problem naming the parameter.",
        "security": [ {}, { "session": [] }, { "bearerToken": [] } ],
        "parameters": [
          { "$ref": "#/components/parameters/CollectionId" },
          { "name": "bbox", "in": "query", "description": "min_lon,min_lat,max_lon,max_lat (CRS84; six numbers with heights are accepted): features whose geometry meets the box (areas: whose bounding box meets it)", "schema": { "type": "string", "example": "117.42,0.08,117.50,0.15" } },
          { "name": "bbox-crs", "in": "query", "description": "Only http://www.opengis.net/def/crs/OGC/1.3/CRS84", "schema": { "type": "string" } },
          { "name": "limit", "in": "query", "description": "Features per page; larger values are lowered to the maximum", "schema": { "type": "integer", "minimum": 1, "maximum": 5000, "default": 100 } },
          { "name": "offset", "in": "query", "description": "Features to skip (the next link sets it)", "schema": { "type": "integer", "minimum": 0, "default": 0 } },
          { "name": "datetime", "in": "query", "description": "Accepted and ignored: the collections have no time dimension", "schema": { "type": "string" } },
          { "$ref": "#/components/parameters/OgcFormat" }
        ],
        "responses": {
          "200": { "description": "A page of features", "content": { "application/geo+json": { "schema": { "$ref": "#/components/schemas/OgcFeatureCollection" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" },
          "503": { "$ref": "#/components/responses/Problem" }
        }
      }
    },
    "/ogc/collections/{collectionId}/items/{featureId}": {
      "get": {
        "tags": ["ogc"], "operationId": "getOgcItem", "summary": "One feature",
        "description": "persons: roles admin, operator, auditor, viewer; a person outside the caller's areas answers 404. areas: open; the id is the Kemendagri code.",
        "security": [ {}, { "session": [] }, { "bearerToken": [] } ],
        "parameters": [
          { "$ref": "#/components/parameters/CollectionId" },
          { "name": "featureId", "in": "path", "required": true, "description": "Person id (UUIDv7) or area code", "schema": { "type": "string" } },
          { "$ref": "#/components/parameters/OgcFormat" }
        ],
        "responses": {
          "200": { "description": "The feature", "content": { "application/geo+json": { "schema": { "type": "object" } } } },
          "400": { "$ref": "#/components/responses/Problem" },
          "401": { "$ref": "#/components/responses/Problem" },
          "403": { "$ref": "#/components/responses/Problem" },
          "404": { "$ref": "#/components/responses/Problem" }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "session": { "type": "apiKey", "in": "cookie", "name": "kapal_session", "description": "Set by POST /api/v1/auth/login (named __Host-kapal_session over TLS). Unsafe methods also need the X-CSRF-Token header." },
      "bearerToken": { "type": "http", "scheme": "bearer", "description": "An API token made with `kapal token create` (ksg_...)." }
    },
    "parameters": {
      "CollectionId": { "name": "collectionId", "in": "path", "required": true, "description": "persons or areas", "schema": { "type": "string", "enum": ["persons", "areas"] } },
      "ExportFormat": { "name": "format", "in": "query", "description": "The file format", "schema": { "type": "string", "enum": ["geojson", "gpkg", "csv"], "default": "geojson" } },
      "PersonExportFormat": { "name": "format", "in": "query", "description": "The file format (default geojson; csv with layout=dtks)", "schema": { "type": "string", "enum": ["geojson", "gpkg", "csv", "xlsx"] } },
      "ExportLayout": { "name": "layout", "in": "query", "description": "The columns of a csv or xlsx: kapal (the import template's) or dtks (the national DTKS individual layout, docs/dtks.md)", "schema": { "type": "string", "enum": ["kapal", "dtks"], "default": "kapal" } },
      "OgcFormat": { "name": "f", "in": "query", "description": "json (or geojson): the only encoding served", "schema": { "type": "string", "enum": ["json", "geojson"] } },
      "PersonId": { "name": "id", "in": "path", "required": true, "description": "Public id (UUIDv7)", "schema": { "type": "string", "format": "uuid" } },
      "CardNumber": { "name": "number", "in": "path", "required": true, "description": "Card number: 12 digits ending in a Damm check digit, dashes allowed (6474-0000001-8)", "schema": { "type": "string" } }
    },
    "headers": {
      "ETag": { "description": "The record version, for If-Match", "schema": { "type": "string" } }
    },
    "responses": {
      "Problem": { "description": "RFC 9457 problem details",
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
    },
    "schemas": {
      "SyncOp": {"type": "object", "required": ["key", "seq", "type", "at"], "additionalProperties": false, "properties": {"key": {"type": "string", "maxLength": 100, "description": "Idempotency key, unique per user"}, "seq": {"type": "integer", "minimum": 1, "description": "The device's order number"}, "type": {"type": "string", "enum": ["person.create", "person.update", "person.photo", "aid.handover", "service.request"]}, "at": {"type": "string", "format": "date-time", "description": "When the change was made on the device"}, "after": {"type": "string", "description": "The key of the op this one depends on"}, "person_id": {"type": "string", "description": "create: the UUIDv7 the device chose; update, photo: the person"}, "person": {"type": "object", "description": "create: the person as POST /api/v1/persons takes it"}, "base_version": {"type": "integer", "minimum": 1}, "changes": {"type": "object", "description": "update: the fields changed, as PUT /api/v1/persons/{id} names them"}, "change_reason": {"type": "string", "maxLength": 500}, "photo": {"type": ["object", "null"], "required": ["media_type", "data"], "properties": {"media_type": {"type": "string", "enum": ["image/jpeg", "image/png"]}, "data": {"type": "string", "contentEncoding": "base64"}}, "description": "person.photo: the new photo, or null: the photo was removed"}, "handover": {"allOf": [{"$ref": "#/components/schemas/AidHandover"}], "description": "aid.handover: the handover body with cycle_id"}, "service": {"type": "object", "required": ["service"], "properties": {"service": {"type": "string"}, "note": {"type": "string", "maxLength": 2000}, "qr": {"type": "string", "maxLength": 4296}, "person_id": {"type": "string"}}, "description": "service.request: the service's code, and the card's QR as scanned or the person"}}},
      "SyncBatch": {"type": "object", "required": ["device_id", "ops"], "additionalProperties": false, "properties": {"device_id": {"type": "string", "maxLength": 100}, "ops": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"$ref": "#/components/schemas/SyncOp"}}}},
      "SyncResult": {"type": "object", "required": ["key", "status"], "properties": {"key": {"type": "string"}, "status": {"type": "string", "enum": ["applied", "merged", "conflict", "waiting", "rejected"]}, "replayed": {"type": "boolean"}, "person_id": {"type": "string"}, "version": {"type": "integer"}, "merged_fields": {"type": "array", "items": {"type": "string"}}, "conflict_id": {"type": "string"}, "fields": {"type": "array", "items": {"type": "string"}}, "waiting_for": {"type": "string"}, "delivery_id": {"type": "string"}, "request_id": {"type": "string"}, "error": {"type": "object", "description": "problem+json"}}},
      "SyncBatchResult": {"type": "object", "required": ["results", "released", "server_time"], "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/SyncResult"}}, "released": {"type": "array", "items": {"$ref": "#/components/schemas/SyncResult"}, "description": "Waiting ops applied because an op of this batch was"}, "server_time": {"type": "string", "format": "date-time"}}},
      "SyncPull": {"type": "object", "required": ["persons", "removed", "handover", "next", "more"], "properties": {"persons": {"type": "array", "items": {"type": "object"}, "description": "As GET /api/v1/persons/{id} answers them"}, "removed": {"type": "array", "items": {"type": "string"}}, "handover": {"type": "array", "items": {"type": "object", "properties": {"cycle_id": {"type": "string"}, "program_code": {"type": "string"}, "program_name": {"type": "string"}, "cycle_number": {"type": "integer"}, "cycle_name": {"type": "string"}, "starts_on": {"type": "string", "format": "date"}, "ends_on": {"type": "string", "format": "date"}, "entries": {"type": "array", "items": {"type": "object", "properties": {"person_id": {"type": "string"}, "name": {"type": "string"}, "kelurahan_code": {"type": "string"}, "card_number": {"type": "string"}, "delivered": {"type": "boolean"}}}}}}}, "next": {"type": "string"}, "more": {"type": "boolean"}, "server_time": {"type": "string", "format": "date-time"}}},
      "SyncConflictSummary": {"type": "object", "required": ["id", "person_id", "type", "state", "fields"], "properties": {"id": {"type": "string"}, "person_id": {"type": "string"}, "type": {"type": "string"}, "state": {"type": "string", "enum": ["conflict", "resolved"]}, "actor": {"type": "string"}, "device_id": {"type": "string"}, "kelurahan_code": {"type": "string"}, "fields": {"type": "array", "items": {"type": "string"}}, "received_at": {"type": "string", "format": "date-time"}, "decided_by": {"type": "string"}, "decided_at": {"type": ["string", "null"], "format": "date-time"}}},
      "SyncConflict": {"type": "object", "required": ["id", "person_id", "current_version", "fields"], "properties": {"id": {"type": "string"}, "person_id": {"type": "string"}, "type": {"type": "string"}, "state": {"type": "string"}, "actor": {"type": "string"}, "device_id": {"type": "string"}, "key": {"type": "string"}, "at": {"type": "string"}, "change_reason": {"type": "string"}, "received_at": {"type": "string", "format": "date-time"}, "base_version": {"type": ["integer", "null"]}, "server_version": {"type": ["integer", "null"]}, "current_version": {"type": "integer"}, "fields": {"type": "array", "items": {"type": "object", "required": ["field", "base", "theirs", "mine"], "properties": {"field": {"type": "string"}, "base": {}, "theirs": {}, "mine": {}}}}, "photo": {"type": ["object", "null"], "description": "person.photo: the device's photo (null: the device removed it)"}, "decision": {"type": ["object", "null"]}, "decided_by": {"type": "string"}, "decided_at": {"type": ["string", "null"], "format": "date-time"}}},
      "AidProgramInput": {"type": "object", "required": ["name", "source", "kind", "channel", "unit_value"], "additionalProperties": false, "properties": {"code": {"type": "string", "pattern": "^[a-z0-9_]{1,40}$"}, "name": {"type": "string", "maxLength": 200}, "source": {"type": "string", "enum": ["APBN", "APBD", "CSR"]}, "kind": {"type": "string", "enum": ["tunai", "voucher", "barang", "alat_bantu", "layanan"]}, "channel": {"type": "string", "enum": ["langsung", "transfer", "voucher"]}, "unit_value": {"type": "integer", "minimum": 0, "description": "Rupiah per beneficiary per cycle"}, "rule": {"type": "string", "maxLength": 4000, "description": "Eligibility rule (docs/eligibility.md)"}, "excludes": {"type": "array", "items": {"type": "string"}, "description": "Programmes a beneficiary may not also be on"}, "assignees": {"type": "array", "items": {"type": "string"}, "description": "User ids of the penyalur and merchants who deliver it"}, "active": {"type": "boolean"}}},
      "AidProgram": {"type": "object", "required": ["code", "name", "source", "kind", "channel", "unit_value", "version"], "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "source": {"type": "string"}, "kind": {"type": "string"}, "channel": {"type": "string"}, "unit_value": {"type": "integer"}, "rule": {"type": "string"}, "excludes": {"type": "array", "items": {"type": "string"}}, "assignees": {"type": "array", "items": {"type": "string"}}, "active": {"type": "boolean"}, "version": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "created_by": {"type": "string"}, "updated_at": {"type": "string", "format": "date-time"}, "updated_by": {"type": "string"}}},
      "AidCycleInput": {"type": "object", "required": ["number", "name", "starts_on", "ends_on"], "additionalProperties": false, "properties": {"number": {"type": "integer", "minimum": 1}, "name": {"type": "string", "maxLength": 200}, "starts_on": {"type": "string", "format": "date"}, "ends_on": {"type": "string", "format": "date"}, "quotas": {"type": "array", "items": {"type": "object", "required": ["area_code", "max"], "properties": {"area_code": {"type": "string"}, "max": {"type": "integer", "minimum": 0}}}}, "site": {"type": ["object", "null"], "required": ["lon", "lat"], "properties": {"lon": {"type": "number"}, "lat": {"type": "number"}}, "description": "Where the handover event takes place"}}},
      "AidCycle": {"type": "object", "required": ["id", "program_code", "number", "name", "list_state", "version"], "properties": {"id": {"type": "string"}, "program_code": {"type": "string"}, "number": {"type": "integer"}, "name": {"type": "string"}, "starts_on": {"type": "string", "format": "date"}, "ends_on": {"type": "string", "format": "date"}, "quotas": {"type": "array", "items": {"type": "object", "properties": {"area_code": {"type": "string"}, "max": {"type": "integer"}}}}, "site": {"type": ["object", "null"], "properties": {"lon": {"type": "number"}, "lat": {"type": "number"}}}, "list_state": {"type": "string", "enum": ["draft", "proposed", "approved"]}, "rule": {"type": "string", "description": "The rule the list was last generated with (canonical)"}, "list_hash": {"type": ["string", "null"], "description": "BLAKE2b-256 of the approved list, hex"}, "list_size": {"type": "integer"}, "proposed_by": {"type": "string"}, "proposed_at": {"type": ["string", "null"], "format": "date-time"}, "approved_by": {"type": "string"}, "approved_at": {"type": ["string", "null"], "format": "date-time"}, "version": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "created_by": {"type": "string"}}},
      "AidListEntry": {"type": "object", "required": ["person_id", "kelurahan_code", "source", "removed"], "properties": {"person_id": {"type": "string"}, "kelurahan_code": {"type": "string"}, "source": {"type": "string", "enum": ["rule", "manual"]}, "removed": {"type": "boolean"}, "reason": {"type": "string"}, "flags": {"type": "array", "items": {"type": "string"}}, "added_at": {"type": "string", "format": "date-time"}, "added_by": {"type": "string"}}},
      "AidHandover": {"type": "object", "additionalProperties": false, "properties": {"qr": {"type": "string", "description": "The card's QR text as scanned"}, "card_number": {"type": "string"}, "person_id": {"type": "string"}, "search_reason": {"type": "string", "maxLength": 500, "description": "Required when no card is scanned"}, "lon": {"type": "number"}, "lat": {"type": "number"}, "accuracy_m": {"type": "number"}, "evidence": {"type": "string", "contentEncoding": "base64", "description": "A photo or signature, JPEG or PNG, at most 512 KiB"}, "evidence_type": {"type": "string", "enum": ["image/jpeg", "image/png"]}, "note": {"type": "string", "maxLength": 2000}}},
      "AidDelivery": {"type": "object", "required": ["id", "cycle_id", "person_id", "channel", "state", "amount", "recorded_at"], "properties": {"id": {"type": "string"}, "cycle_id": {"type": "string"}, "program_code": {"type": "string"}, "person_id": {"type": "string"}, "kelurahan_code": {"type": "string"}, "channel": {"type": "string", "enum": ["langsung", "transfer", "voucher"]}, "state": {"type": "string", "enum": ["delivered", "pending", "failed"]}, "amount": {"type": "integer"}, "recorded_at": {"type": "string", "format": "date-time"}, "officer": {"type": "string"}, "lon": {"type": ["number", "null"]}, "lat": {"type": ["number", "null"]}, "accuracy_m": {"type": ["number", "null"]}, "card_number": {"type": ["string", "null"]}, "search_reason": {"type": "string"}, "evidence": {"type": ["string", "null"], "description": "URL of the photo or signature"}, "note": {"type": "string"}, "flags": {"type": "array", "items": {"type": "string"}}}},
      "MerchantInput": {"type": "object", "additionalProperties": false, "required": ["name", "user_id", "kelurahan_code", "lon", "lat"], "properties": {"name": {"type": "string", "maxLength": 200}, "user_id": {"type": "string", "description": "The account (role merchant) that acts for it"}, "kelurahan_code": {"type": "string"}, "lon": {"type": "number", "minimum": -180, "maximum": 180}, "lat": {"type": "number", "minimum": -90, "maximum": 90}, "address": {"type": "string", "maxLength": 500}, "active": {"type": "boolean", "default": true}}},
      "Merchant": {"type": "object", "required": ["id", "name", "user_id", "kelurahan_code", "lon", "lat", "active", "version"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "user_id": {"type": "string"}, "kelurahan_code": {"type": "string"}, "lon": {"type": "number"}, "lat": {"type": "number"}, "address": {"type": "string"}, "active": {"type": "boolean"}, "version": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "created_by": {"type": "string"}, "updated_at": {"type": "string", "format": "date-time"}, "updated_by": {"type": "string"}}},
      "VoucherLookup": {"type": "object", "additionalProperties": false, "properties": {"qr": {"type": "string"}, "card_number": {"type": "string"}, "person_id": {"type": "string"}}},
      "VoucherRedemption": {"type": "object", "additionalProperties": false, "required": ["amount"], "properties": {"qr": {"type": "string", "description": "The scanned card"}, "card_number": {"type": "string"}, "person_id": {"type": "string", "description": "The person found by name; then search_reason is required"}, "search_reason": {"type": "string", "maxLength": 500}, "merchant_id": {"type": "string", "description": "Required of an admin; a merchant's own e-warong when absent"}, "amount": {"type": "integer", "minimum": 1, "description": "Rupiah"}, "note": {"type": "string", "maxLength": 500, "description": "The goods"}}},
      "VoucherPerson": {"type": "object", "required": ["person_id", "name"], "properties": {"person_id": {"type": "string"}, "name": {"type": "string"}, "kelurahan_code": {"type": "string"}, "card_number": {"type": ["string", "null"]}, "on_list": {"type": "boolean"}}},
      "VoucherBalance": {"type": "object", "required": ["cycle_id", "person_id", "entitled", "spent", "balance", "issued"], "properties": {"cycle_id": {"type": "string"}, "person_id": {"type": "string"}, "kelurahan_code": {"type": "string"}, "entitled": {"type": "integer"}, "spent": {"type": "integer"}, "balance": {"type": "integer", "minimum": 0}, "issued": {"type": "boolean", "description": "false until the first redemption"}, "delivery_id": {"type": ["string", "null"]}}},
      "VoucherTransaction": {"type": "object", "required": ["id", "cycle_id", "kind", "person_id", "amount", "at", "postings"], "properties": {"id": {"type": "string"}, "cycle_id": {"type": "string"}, "kind": {"type": "string", "enum": ["issue", "redeem"]}, "person_id": {"type": "string"}, "merchant_id": {"type": ["string", "null"]}, "amount": {"type": "integer"}, "note": {"type": "string"}, "at": {"type": "string", "format": "date-time"}, "actor": {"type": "string"}, "card_number": {"type": ["string", "null"]}, "search_reason": {"type": "string"}, "postings": {"type": "array", "items": {"type": "object", "required": ["account", "amount"], "properties": {"account": {"type": "string", "description": "fund:<cycle>, voucher:<cycle>:<person> or merchant:<merchant>"}, "amount": {"type": "integer", "description": "Rupiah into the account (negative: out of it)"}}}}}},
      "VoucherOutcome": {"type": "object", "required": ["transaction", "balance", "replayed"], "properties": {"transaction": {"$ref": "#/components/schemas/VoucherTransaction"}, "balance": {"$ref": "#/components/schemas/VoucherBalance"}, "replayed": {"type": "boolean"}}},
      "AidBeneficiary": {"type": "object", "required": ["person_id", "name", "on_list"], "properties": {"person_id": {"type": "string"}, "name": {"type": "string"}, "kelurahan_code": {"type": "string"}, "card_number": {"type": ["string", "null"]}, "on_list": {"type": "boolean"}, "delivery": {"oneOf": [{"$ref": "#/components/schemas/AidDelivery"}, {"type": "null"}]}}},
      "Service": { "type": "object", "required": ["code", "name", "active", "position"], "properties": {
        "code": { "type": "string" }, "name": { "type": "string" }, "name_en": { "type": "string" },
        "description": { "type": "string" }, "active": { "type": "boolean" }, "position": { "type": "integer" },
        "updated_at": { "type": "string", "format": "date-time" }, "updated_by": { "type": "string" } } },
      "ServiceInput": { "type": "object", "required": ["name"], "additionalProperties": false, "properties": {
        "code": { "type": "string", "pattern": "^[a-z0-9_]{1,40}$", "description": "Required when adding; when changing, the path's code" },
        "name": { "type": "string", "maxLength": 200 }, "name_en": { "type": "string", "maxLength": 200 },
        "description": { "type": "string", "maxLength": 2000 }, "active": { "type": "boolean", "default": true },
        "position": { "type": "integer", "minimum": 0, "maximum": 10000, "default": 0 } } },
      "ServiceRequest": { "type": "object", "required": ["id", "person_id", "service", "status", "version", "history"], "properties": {
        "id": { "type": "string", "format": "uuid" }, "person_id": { "type": "string", "format": "uuid" },
        "service": { "type": "string" }, "kelurahan_code": { "type": "string" },
        "card_number": { "type": ["string", "null"], "description": "The card scanned to open it" },
        "status": { "type": "string", "enum": ["diajukan", "diproses", "selesai", "ditolak", "dibatalkan"] },
        "note": { "type": "string" }, "version": { "type": "integer" },
        "created_at": { "type": "string", "format": "date-time" }, "created_by": { "type": "string" },
        "updated_at": { "type": "string", "format": "date-time" }, "updated_by": { "type": "string" },
        "history": { "type": "array", "items": { "type": "object", "properties": {
          "version": { "type": "integer" }, "at": { "type": "string", "format": "date-time" }, "actor": { "type": "string" },
          "status": { "type": "string" }, "note": { "type": "string" } } } } } },
      "CardRevokeReason": { "type": "string", "enum": ["meninggal", "pindah", "penipuan", "hilang", "rusak", "reissue", "nonaktif", "lainnya"] },
      "Card": { "type": "object", "required": ["number", "number_formatted", "person_id", "status", "state", "issued_at", "expires_at", "qr"], "properties": {
        "number": { "type": "string", "description": "12 digits" },
        "number_formatted": { "type": "string", "description": "As printed: 6474-0000001-8" },
        "person_id": { "type": "string", "format": "uuid" },
        "kelurahan_code": { "type": "string", "description": "The holder's at issue: where it is printed and handed over" },
        "status": { "type": "string", "enum": ["active", "revoked"] },
        "state": { "type": "string", "enum": ["active", "expired", "revoked"], "description": "status, with expired for an active card past expires_at" },
        "stage": { "type": ["string", "null"], "enum": ["to_print", "to_hand_over", "handed_over", null], "description": "Where an active card is in the print queue; null when revoked" },
        "issued_at": { "type": "string", "format": "date-time" }, "issued_by": { "type": "string" },
        "expires_at": { "type": "string", "format": "date-time" },
        "revoked_at": { "type": ["string", "null"], "format": "date-time" }, "revoked_by": { "type": "string" },
        "revoke_reason": { "type": "string" }, "revoke_note": { "type": "string" },
        "replaced_by": { "type": "string", "description": "Number of the card that replaced it (reissue); empty otherwise" },
        "printed_at": { "type": ["string", "null"], "format": "date-time" }, "printed_by": { "type": "string" },
        "handed_over_at": { "type": ["string", "null"], "format": "date-time" }, "handed_over_by": { "type": "string" },
        "key_id": { "type": "string", "description": "kid of the key that signed it" },
        "qr": { "type": "string", "description": "The QR code's text (Base45), exactly as printed" } } },
      "CardList": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Card" } } } },
      "CardNumbers": { "type": "object", "required": ["numbers"], "additionalProperties": false, "properties": { "numbers": { "type": "array", "minItems": 1, "maxItems": 1000, "items": { "type": "string" } } } },
      "CardsChanged": { "type": "object", "required": ["changed"], "properties": { "changed": { "type": "integer", "minimum": 0 } } },
      "OgcLinks": { "type": "object", "properties": { "title": { "type": "string" }, "description": { "type": "string" }, "links": { "type": "array", "items": { "$ref": "#/components/schemas/OgcLink" } } } },
      "OgcLink": { "type": "object", "required": ["href", "rel"], "properties": { "href": { "type": "string" }, "rel": { "type": "string" }, "type": { "type": "string" }, "title": { "type": "string" } } },
      "OgcFeatureCollection": { "type": "object", "required": ["type", "features"], "properties": {
        "type": { "const": "FeatureCollection" },
        "features": { "type": "array", "items": { "type": "object" } },
        "numberMatched": { "type": "integer" },
        "numberReturned": { "type": "integer" },
        "timeStamp": { "type": "string", "format": "date-time" },
        "links": { "type": "array", "items": { "$ref": "#/components/schemas/OgcLink" } } } },
      "CardKeySet": { "type": "object", "required": ["keys"],
        "properties": { "keys": { "type": "array", "items": { "$ref": "#/components/schemas/CardKey" } } } },
      "CardKey": { "type": "object", "required": ["kty", "crv", "alg", "use", "kid", "x", "public_key_hex", "status", "created"],
        "properties": {
          "kty": { "type": "string", "enum": ["OKP"] },
          "crv": { "type": "string", "enum": ["Ed25519"] },
          "alg": { "type": "string", "enum": ["EdDSA"] },
          "use": { "type": "string", "enum": ["sig"] },
          "kid": { "type": "string", "description": "8 hex digits: the first 4 bytes of SHA-256 of the public key; the credential's protected header carries it (label 4) as its ASCII bytes", "example": "c4221391" },
          "x": { "type": "string", "description": "The 32-byte public key, base64url without padding" },
          "public_key_hex": { "type": "string", "description": "The same key in hex" },
          "status": { "type": "string", "enum": ["current", "retired"] },
          "created": { "type": "string", "format": "date-time" },
          "retired": { "type": "string", "format": "date-time" } } },
      "Health": { "type": "object", "required": ["status"],
        "properties": { "status": { "type": "string" }, "store": { "type": "string" }, "schema_version": { "type": "integer" } } },
      "Problem": { "type": "object", "required": ["type", "title", "status"],
        "properties": {
          "type": { "type": "string", "format": "uri" }, "title": { "type": "string" },
          "status": { "type": "integer" }, "detail": { "type": "string" }, "code": { "type": "string" },
          "errors": { "type": "array", "items": { "type": "object", "properties": {
            "field": { "type": "string" }, "code": { "type": "string" }, "message": { "type": "string" },
            "level": { "type": "string", "enum": ["error", "warning"] } } } } } },
      "Category": { "type": "string", "enum": ["fisik", "intelektual", "mental", "sensorik_netra", "sensorik_rungu", "sensorik_wicara"] },
      "Severity": { "type": "string", "enum": ["ringan", "sedang", "berat"] },
      "Status": { "type": "string", "enum": ["aktif", "pindah", "meninggal", "nonaktif"] },
      "CategoryCounts": { "type": "object", "description": "Persons per disability category (a person with several counts in each)",
        "propertyNames": { "$ref": "#/components/schemas/Category" }, "additionalProperties": { "type": "number" } },
      "Cluster": { "type": "object", "required": ["lon", "lat", "count", "categories", "bbox"], "properties": {
        "lon": { "type": "number", "description": "Mean longitude of the persons in the cluster" },
        "lat": { "type": "number", "description": "Mean latitude" },
        "count": { "type": "integer", "minimum": 1 },
        "categories": { "$ref": "#/components/schemas/CategoryCounts" },
        "bbox": { "type": "array", "items": { "type": "number" }, "minItems": 4, "maxItems": 4, "description": "The cell: west, south, east, north" },
        "id": { "type": "string", "format": "uuid", "description": "The one person of the cluster, at zoom 15 and above" } } },
      "ClusterAnswer": { "type": "object", "required": ["zoom", "cell_deg", "total", "clusters"], "properties": {
        "zoom": { "type": "integer" }, "cell_deg": { "type": "number" }, "total": { "type": "integer" },
        "clusters": { "type": "array", "items": { "$ref": "#/components/schemas/Cluster" } } } },
      "MultiPolygon": { "type": "object", "required": ["type", "coordinates"], "properties": {
        "type": { "const": "MultiPolygon" }, "coordinates": { "type": "array", "items": { "type": "array", "items": { "type": "array", "items": { "type": "array", "items": { "type": "number" } } } } } } },
      "AreaProperties": { "type": "object", "required": ["code", "name", "level", "parent", "population"], "properties": {
        "code": { "type": "string", "example": "64.74.01.1003" }, "name": { "type": "string" },
        "level": { "type": "string", "enum": ["kelurahan", "kecamatan", "kota"] },
        "parent": { "type": ["string", "null"] }, "population": { "type": ["integer", "null"] } } },
      "AreaCollection": { "type": "object", "required": ["type", "features"], "properties": {
        "type": { "const": "FeatureCollection" },
        "features": { "type": "array", "items": { "type": "object", "required": ["type", "id", "properties", "geometry"], "properties": {
          "type": { "const": "Feature" }, "id": { "type": "string" }, "geometry": { "$ref": "#/components/schemas/MultiPolygon" },
          "properties": { "allOf": [ { "$ref": "#/components/schemas/AreaProperties" }, { "type": "object", "required": ["total", "categories", "statuses", "per_1000"], "properties": {
            "total": { "type": "integer" }, "categories": { "$ref": "#/components/schemas/CategoryCounts" },
            "statuses": { "type": "object", "propertyNames": { "$ref": "#/components/schemas/Status" }, "additionalProperties": { "type": "integer" } },
            "per_1000": { "type": ["object", "null"], "description": "total and each category per 1,000 residents", "additionalProperties": { "type": "number" } } } } ] } } } } } },
      "PublicAreaCollection": { "type": "object", "required": ["type", "features"], "properties": {
        "type": { "const": "FeatureCollection" }, "suppression": { "type": "string" },
        "features": { "type": "array", "items": { "type": "object", "required": ["type", "id", "properties", "geometry"], "properties": {
          "type": { "const": "Feature" }, "id": { "type": "string" }, "geometry": { "$ref": "#/components/schemas/MultiPolygon" },
          "properties": { "allOf": [ { "$ref": "#/components/schemas/AreaProperties" }, { "type": "object", "required": ["count", "suppressed"], "properties": {
            "count": { "type": ["integer", "null"], "description": "Active persons; null when suppressed" }, "suppressed": { "type": "boolean" } } } ] } } } } } },
      "Address": { "type": "object", "additionalProperties": false, "properties": {
        "street": { "type": "string" }, "rt": { "type": "string", "pattern": "^[0-9]{0,3}$" },
        "rw": { "type": "string", "pattern": "^[0-9]{0,3}$" },
        "kelurahan_code": { "type": "string", "description": "Kemendagri code; derived from home when empty" } } },
      "Home": { "type": ["object", "null"], "additionalProperties": false, "required": ["lon", "lat"], "properties": {
        "lon": { "type": "number", "minimum": -180, "maximum": 180 }, "lat": { "type": "number", "minimum": -90, "maximum": 90 },
        "accuracy_m": { "type": ["number", "null"], "minimum": 0 },
        "source": { "type": "string", "enum": ["gps", "map", "geocoded", "imported"] } } },
      "Wgss": { "type": "object", "additionalProperties": false, "description": "Washington Group Short Set: 1 no difficulty, 2 some, 3 a lot, 4 cannot do",
        "properties": {
          "seeing": { "$ref": "#/components/schemas/WgAnswer" }, "hearing": { "$ref": "#/components/schemas/WgAnswer" },
          "walking": { "$ref": "#/components/schemas/WgAnswer" }, "cognition": { "$ref": "#/components/schemas/WgAnswer" },
          "self_care": { "$ref": "#/components/schemas/WgAnswer" }, "communication": { "$ref": "#/components/schemas/WgAnswer" } } },
      "WgAnswer": { "type": ["integer", "null"], "minimum": 1, "maximum": 4 },
      "Caregiver": { "type": ["object", "null"], "additionalProperties": false, "properties": {
        "name": { "type": "string" }, "relationship": { "type": "string" }, "phone": { "type": "string" } } },
      "Consent": { "type": "object", "additionalProperties": false, "properties": {
        "given": { "type": "boolean" }, "date": { "type": ["string", "null"], "format": "date" }, "given_by": { "type": "string" },
        "purposes": { "type": "array", "description": "What the data may be used for; empty with given = registration only",
          "items": { "type": "string", "enum": ["registration", "social_assistance", "card", "data_sharing", "contact"] } } } },
      "User": { "type": "object", "properties": {
        "id": { "type": "string" }, "username": { "type": "string" }, "display_name": { "type": "string" },
        "role": { "type": "string", "enum": ["admin", "operator", "penyalur", "merchant", "auditor", "viewer"] },
        "area_codes": { "type": "array", "items": { "type": "string" } }, "disabled": { "type": "boolean" } } },
      "LoginAnswer": { "type": "object", "required": ["user", "csrf_token"], "properties": {
        "user": { "$ref": "#/components/schemas/User" }, "csrf_token": { "type": "string" }, "session_id": { "type": "string" },
        "expires_at": { "type": "string", "format": "date-time" }, "idle_timeout_s": { "type": "integer" },
        "instance": { "type": "string", "enum": ["city", "province"], "description": "A kab/kota instance, or a province instance (docs/province.md)" } } },
      "Session": { "type": "object", "properties": {
        "id": { "type": "string" }, "created_at": { "type": "string", "format": "date-time" },
        "last_seen_at": { "type": "string", "format": "date-time" }, "expires_at": { "type": "string", "format": "date-time" },
        "address": { "type": "string" }, "user_agent": { "type": "string" }, "current": { "type": "boolean" } } },
      "DuplicatePair": { "type": "object", "required": ["id", "person_a", "person_b", "score", "explanation", "source", "state", "found_at", "version"], "properties": {
        "id": { "type": "string" },
        "person_a": { "type": ["string", "null"], "description": "The lower id; null outside the caller's areas" },
        "person_b": { "type": ["string", "null"] },
        "kelurahan_a": { "type": ["string", "null"] },
        "kelurahan_b": { "type": ["string", "null"] },
        "score": { "type": "number", "description": "Fellegi–Sunter score when found (threshold 10)" },
        "explanation": { "type": "array", "items": { "type": "object", "required": ["field", "level", "text", "weight"], "properties": {
          "field": { "type": "string", "enum": ["name", "birth_date", "sex", "nik", "kk", "kelurahan", "home", "phone"] },
          "level": { "type": "integer", "description": "0 = strongest agreement; -1 = a value missing" },
          "text": { "type": "string", "description": "The level in Indonesian" },
          "weight": { "type": "number" } } } },
        "source": { "type": "string", "enum": ["registrasi", "impor", "pemindaian"] },
        "state": { "type": "string", "enum": ["terbuka", "digabung", "berbeda"] },
        "found_at": { "type": "string", "format": "date-time" },
        "found_by": { "type": "string" },
        "decided_at": { "type": ["string", "null"], "format": "date-time" },
        "decided_by": { "type": "string" },
        "decision_reason": { "type": "string" },
        "kept_id": { "type": ["string", "null"] },
        "version": { "type": "integer" } } },
      "AuditEntry": { "type": "object", "properties": {
        "seq": { "type": "integer" }, "at": { "type": "string", "format": "date-time" }, "actor": { "type": "string" },
        "source": { "type": "string" }, "action": { "type": "string" }, "subject": { "type": "string" }, "detail": { "type": "string" } } },
      "Document": { "type": "object", "additionalProperties": false, "properties": {
        "id": { "type": "string" }, "kind": { "type": "string" }, "name": { "type": "string" } } },
      "PersonFields": { "type": "object", "properties": {
        "full_name": { "type": "string", "maxLength": 200 },
        "sex": { "type": "string", "enum": ["L", "P"] },
        "birth_place": { "type": "string" },
        "birth_date": { "type": "string", "format": "date" },
        "address": { "$ref": "#/components/schemas/Address" },
        "home": { "$ref": "#/components/schemas/Home" },
        "categories": { "type": "array", "items": { "$ref": "#/components/schemas/Category" }, "minItems": 1 },
        "disability_subtype": { "type": "string" },
        "severity": { "oneOf": [ { "$ref": "#/components/schemas/Severity" }, { "type": "null" } ] },
        "wgss": { "$ref": "#/components/schemas/Wgss" },
        "onset": { "type": ["string", "null"], "enum": ["sejak_lahir", "didapat", null] },
        "onset_year": { "type": ["integer", "null"] },
        "cause": { "type": ["string", "null"], "enum": ["bawaan", "penyakit", "kecelakaan", "bencana", "konflik", "lainnya", null] },
        "cause_note": { "type": "string" },
        "assistive_devices": { "type": "array", "items": { "type": "string" } },
        "therapies": { "type": "array", "items": { "type": "string" } },
        "needs_note": { "type": "string" },
        "caregiver": { "$ref": "#/components/schemas/Caregiver" },
        "dtks": { "type": "boolean" }, "dtks_id": { "type": "string" },
        "phone": { "type": "string" },
        "photo_id": { "type": "string" },
        "documents": { "type": "array", "items": { "$ref": "#/components/schemas/Document" } },
        "consent": { "$ref": "#/components/schemas/Consent" },
        "status": { "$ref": "#/components/schemas/Status" },
        "status_date": { "type": ["string", "null"], "format": "date" },
        "status_reason": { "type": "string" },
        "confirmed_warnings": { "type": "array", "items": { "type": "string" }, "description": "Ids of warnings the operator confirms (e.g. person.nik_birth_date_mismatch)" },
        "warning_reason": { "type": "string", "description": "Why the warnings are confirmed; required with confirmed_warnings" } } },
      "PersonInput": { "allOf": [ { "$ref": "#/components/schemas/PersonFields" }, { "type": "object",
        "required": ["nik", "full_name", "sex", "birth_date", "categories"],
        "properties": {
          "nik": { "type": "string", "pattern": "^[0-9]{16}$" },
          "kk": { "type": "string", "pattern": "^([0-9]{16})?$" },
          "account": { "type": ["object", "null"], "properties": {
            "kind": { "type": "string", "enum": ["bank", "ewallet"] }, "provider": { "type": "string" },
            "number": { "type": "string" }, "holder_name": { "type": "string" } } },
          "change_reason": { "type": "string", "description": "Recorded with the new version" } } } ] },
      "Person": { "allOf": [ { "$ref": "#/components/schemas/PersonFields" }, { "type": "object",
        "required": ["id", "version", "nik_masked", "full_name"],
        "properties": {
          "id": { "type": "string", "format": "uuid" }, "version": { "type": "integer" },
          "created_at": { "type": "string", "format": "date-time" }, "updated_at": { "type": "string", "format": "date-time" },
          "created_by": { "type": "string" }, "updated_by": { "type": "string" },
          "nik_masked": { "type": "string" }, "kk_masked": { "type": ["string", "null"] },
          "kecamatan_code": { "type": "string" },
          "merged_into": { "type": "string", "description": "Present when a reviewer merged this record into another (the duplicate review)" },
          "account": { "type": ["object", "null"], "properties": {
            "kind": { "type": "string" }, "provider": { "type": "string" },
            "number_masked": { "type": "string" }, "holder_name": { "type": "string" } } } } } ] },
      "PersonVersion": { "allOf": [ { "$ref": "#/components/schemas/Person" }, { "type": "object", "properties": {
        "change_reason": { "type": "string" }, "change_source": { "type": "string" } } } ] },
      "PolygonSearch": { "type": "object", "additionalProperties": false, "required": ["geometry"], "properties": {
        "geometry": { "type": "object", "description": "A GeoJSON Polygon or MultiPolygon (RFC 7946, [lon, lat], rings closed), or a Feature holding one; at most 10,000 positions. Errors name the path, e.g. geometry.coordinates[0][3]", "required": ["type"], "properties": {
          "type": { "type": "string", "enum": ["Polygon", "MultiPolygon", "Feature"] },
          "coordinates": { "type": "array" }, "geometry": { "type": "object" }, "properties": { "type": ["object", "null"] } } },
        "category": { "oneOf": [ { "$ref": "#/components/schemas/Category" }, { "type": "array", "items": { "$ref": "#/components/schemas/Category" } } ], "description": "Any of these" },
        "severity": { "$ref": "#/components/schemas/Severity" },
        "status": { "$ref": "#/components/schemas/Status" },
        "needs": { "oneOf": [ { "type": "string" }, { "type": "array", "items": { "type": "string" } } ], "description": "Assistive-device codes (kursi_roda, kruk, tongkat, tongkat_netra, walker, kaki_palsu, tangan_palsu, alat_bantu_dengar, kacamata, braille, alat_bantu_lainnya, popok): any of them" },
        "kelurahan": { "type": "string" }, "kecamatan": { "type": "string" },
        "limit": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 50 } } },
      "HazardImport": {
        "type": "object", "required": ["layer", "dry_run", "imported", "rejected"],
        "properties": {
          "layer": { "type": "string" },
          "dry_run": { "type": "boolean" },
          "imported": { "type": "array", "items": { "type": "object", "required": ["id", "name", "hazard", "level"], "properties": {
            "id": { "type": "string", "format": "uuid" }, "name": { "type": "string" }, "hazard": { "type": "string" }, "level": { "type": "string", "enum": ["rendah", "sedang", "tinggi"] }, "source": { "type": "string" }, "created_at": { "type": "string", "format": "date-time" } } } },
          "rejected": { "type": "array", "items": { "type": "object", "required": ["feature", "message"], "properties": {
            "feature": { "type": "integer", "description": "1-based position in the layer" }, "message": { "type": "string" } } } }
        }
      },
      "UserWithPassword": {
        "type": "object", "required": ["user", "password"],
        "properties": { "user": { "$ref": "#/components/schemas/User" }, "password": { "type": "string", "description": "Generated; shown only in this answer" } }
      },
      "Stats": {
        "type": "object", "required": ["status", "total", "categories", "sex", "age_groups", "severity", "kecamatan", "monthly"],
        "properties": {
          "status": { "type": ["string", "null"], "description": "The status counted; null for every status" },
          "total": { "type": "integer" },
          "categories": { "type": "object", "additionalProperties": { "type": "integer" }, "description": "fisik, intelektual, mental, sensorik_netra, sensorik_rungu, sensorik_wicara" },
          "sex": { "type": "object", "additionalProperties": { "type": "integer" }, "description": "L, P" },
          "age_groups": { "type": "object", "additionalProperties": { "type": "integer" }, "description": "balita, anak, dewasa, lansia" },
          "severity": { "type": "object", "additionalProperties": { "type": "integer" }, "description": "ringan, sedang, berat, tidak_diisi" },
          "kecamatan": { "type": "array", "items": { "type": "object", "required": ["code", "name", "count"], "properties": { "code": { "type": "string" }, "name": { "type": "string" }, "count": { "type": "integer" } } } },
          "monthly": { "type": "object", "required": ["months", "total", "kecamatan"], "properties": {
            "months": { "type": "array", "items": { "type": "string", "description": "YYYY-MM" } },
            "total": { "type": "array", "items": { "type": "integer" } },
            "kecamatan": { "type": "array", "items": { "type": "object", "required": ["code", "name", "counts"], "properties": { "code": { "type": "string" }, "name": { "type": "string" }, "counts": { "type": "array", "items": { "type": "integer" } } } } } } }
        }
      },
      "FlowCounts": {
        "type": "object", "required": ["start", "new", "moved_in", "reactivated", "moved_out", "deceased", "deactivated", "end", "in", "out"],
        "properties": {
          "start": { "type": "integer", "description": "Registered (aktif) when the period began" },
          "new": { "type": "integer", "description": "In: new registrations" },
          "moved_in": { "type": "integer", "description": "In: from another area, or back from outside the city" },
          "reactivated": { "type": "integer", "description": "In: aktif again after nonaktif or meninggal" },
          "moved_out": { "type": "integer", "description": "Out: to another area, or out of the city (pindah)" },
          "deceased": { "type": "integer", "description": "Out: meninggal" },
          "deactivated": { "type": "integer", "description": "Out: nonaktif" },
          "end": { "type": "integer", "description": "Registered when the period ended: start + in - out" },
          "in": { "type": "integer", "description": "new + moved_in + reactivated" },
          "out": { "type": "integer", "description": "moved_out + deceased + deactivated" }
        }
      },
      "AreaFlows": {
        "allOf": [ { "$ref": "#/components/schemas/FlowCounts" }, { "type": "object", "required": ["by"], "properties": {
          "code": { "type": "string" }, "name": { "type": "string" },
          "by": { "type": "object", "required": ["category", "sex", "age_group", "severity"], "description": "The same counts per cell: category (a person once per category), sex (L, P), age_group (balita, anak, dewasa, lansia, tidak_diketahui; on the period's last day), severity (ringan, sedang, berat, tidak_diisi)", "properties": {
            "category": { "type": "object", "additionalProperties": { "$ref": "#/components/schemas/FlowCounts" } },
            "sex": { "type": "object", "additionalProperties": { "$ref": "#/components/schemas/FlowCounts" } },
            "age_group": { "type": "object", "additionalProperties": { "$ref": "#/components/schemas/FlowCounts" } },
            "severity": { "type": "object", "additionalProperties": { "$ref": "#/components/schemas/FlowCounts" } } } } } } ]
      },
      "Flows": {
        "type": "object", "required": ["period", "from", "to", "level", "areas", "total"],
        "properties": {
          "period": { "type": "string", "description": "As asked: 2026-Q3, or from..to" },
          "from": { "type": "string", "format": "date" },
          "to": { "type": "string", "format": "date", "description": "The day after the period" },
          "level": { "type": "string", "enum": ["kota", "kecamatan", "kelurahan"] },
          "areas": { "type": "array", "items": { "$ref": "#/components/schemas/AreaFlows" } },
          "total": { "$ref": "#/components/schemas/AreaFlows" }
        }
      },
      "FlowSeries": {
        "type": "object", "required": ["start", "new", "moved_in", "reactivated", "moved_out", "deceased", "deactivated", "end"],
        "description": "One value per month, oldest first",
        "additionalProperties": { "type": "array", "items": { "type": "integer" } },
        "properties": { "code": { "type": "string" }, "name": { "type": "string" } }
      },
      "IndicatorCounts": {
        "type": "object", "required": ["registered", "population", "per_1000", "with_card", "card_share", "reached", "aid_share", "located", "in_hazard", "hazard_share", "far", "far_share"],
        "properties": {
          "registered": { "type": "integer" },
          "population": { "type": ["integer", "null"], "description": "Residents (reference data); null for a kelurahan" },
          "per_1000": { "type": ["number", "null"] },
          "with_card": { "type": "integer" },
          "card_share": { "type": ["number", "null"] },
          "reached": { "type": "integer", "description": "Aid delivered since 1 January of the year" },
          "aid_share": { "type": ["number", "null"] },
          "located": { "type": "integer", "description": "With a home location" },
          "in_hazard": { "type": "integer" },
          "hazard_share": { "type": ["number", "null"], "description": "Of located" },
          "far": { "type": "integer" },
          "far_share": { "type": ["number", "null"], "description": "Of located" }
        }
      },
      "Indicators": {
        "type": "object", "required": ["period", "from", "to", "previous", "level", "far_m", "facilities", "hazard_zones", "areas", "total"],
        "properties": {
          "period": { "type": "string" },
          "from": { "type": "string", "format": "date" },
          "to": { "type": "string", "format": "date" },
          "previous": { "type": "object", "properties": { "period": { "type": "string" }, "from": { "type": "string", "format": "date" }, "to": { "type": "string", "format": "date" } } },
          "level": { "type": "string", "enum": ["kota", "kecamatan", "kelurahan"] },
          "far_m": { "type": "number" },
          "facility_kind": { "type": ["string", "null"] },
          "facilities": { "type": "integer" },
          "hazard_zones": { "type": "integer" },
          "areas": { "type": "array", "items": { "type": "object", "properties": { "code": { "type": "string" }, "name": { "type": "string" }, "current": { "$ref": "#/components/schemas/IndicatorCounts" }, "previous": { "$ref": "#/components/schemas/IndicatorCounts" } } } },
          "total": { "type": "object", "properties": { "current": { "$ref": "#/components/schemas/IndicatorCounts" }, "previous": { "$ref": "#/components/schemas/IndicatorCounts" } } }
        }
      },
      "MonthlyFlows": {
        "type": "object", "required": ["level", "months", "areas", "total"],
        "properties": {
          "level": { "type": "string", "enum": ["kota", "kecamatan", "kelurahan"] },
          "months": { "type": "array", "items": { "type": "string", "description": "YYYY-MM" } },
          "areas": { "type": "array", "items": { "$ref": "#/components/schemas/FlowSeries" } },
          "total": { "$ref": "#/components/schemas/FlowSeries" }
        }
      },
      "ImportRow": {
        "type": "object", "required": ["row", "errors"],
        "properties": {
          "row": { "type": "integer", "description": "The line (CSV) or sheet row (XLSX), 1-based" },
          "errors": { "type": "array", "items": { "type": "object", "required": ["field", "code", "message", "level"], "properties": {
            "field": { "type": "string", "description": "The column as the file names it" }, "code": { "type": "string" }, "message": { "type": "string", "description": "In the request's language" }, "level": { "type": "string", "enum": ["error", "warning"] } } } }
        }
      },
      "PersonImport": {
        "type": "object", "required": ["filename", "dry_run", "rows", "created", "unchanged", "changed", "rejected", "warned", "rejects", "warnings", "changes", "rejects_csv"],
        "properties": {
          "filename": { "type": "string" },
          "dry_run": { "type": "boolean" },
          "header_row": { "type": "integer" },
          "rows": { "type": "integer" }, "created": { "type": "integer" }, "unchanged": { "type": "integer" },
          "changed": { "type": "integer", "description": "Rows that differ from the stored person: reported, not applied" },
          "rejected": { "type": "integer" }, "warned": { "type": "integer", "description": "Imported (or would be) with warnings" },
          "unknown_columns": { "type": "array", "items": { "type": "string" }, "description": "Header cells that match no field (ignored)" },
          "rejects": { "type": "array", "items": { "$ref": "#/components/schemas/ImportRow" }, "description": "The first 1000" },
          "warnings": { "type": "array", "items": { "$ref": "#/components/schemas/ImportRow" } },
          "changes": { "type": "array", "items": { "$ref": "#/components/schemas/ImportRow" } },
          "rejects_csv": { "type": ["string", "null"], "description": "The rejects file (CSV), null when no row was rejected" }
        }
      },
      "FacilityImport": {
        "type": "object", "required": ["layer", "dry_run", "imported", "rejected"],
        "properties": {
          "layer": { "type": "string" },
          "dry_run": { "type": "boolean" },
          "imported": { "type": "array", "description": "GeoJSON Features (Points) with id and properties kind, name, kelurahan_code, address, phone, source, created_at", "items": { "type": "object" } },
          "rejected": { "type": "array", "items": { "type": "object", "required": ["feature", "message"], "properties": {
            "feature": { "type": "integer", "description": "1-based position in the layer" }, "message": { "type": "string" } } } }
        }
      },
      "FacilityCoverage": {
        "type": "object", "required": ["kind", "max_m", "facilities", "persons", "areas", "uncovered"],
        "properties": {
          "kind": { "type": "string" },
          "max_m": { "type": "number" },
          "facilities": { "type": "integer", "description": "Facilities of the kind" },
          "persons": { "type": "integer", "description": "Active persons of the caller's areas with a home" },
          "areas": { "type": "array", "items": { "type": "object", "required": ["kelurahan_code", "persons", "uncovered"], "properties": {
            "kelurahan_code": { "type": "string" }, "persons": { "type": "integer" }, "uncovered": { "type": "integer" } } } },
          "uncovered": { "type": "array", "description": "Farthest first", "items": { "type": "object", "required": ["nearest", "person"], "properties": {
            "nearest": { "description": "null when there is no facility of the kind", "oneOf": [ { "type": "null" }, { "type": "object", "required": ["id", "name", "distance_m"], "properties": {
              "id": { "type": "string", "format": "uuid" }, "name": { "type": "string" }, "distance_m": { "type": "number" } } } ] },
            "person": { "$ref": "#/components/schemas/Person" } } } }
        }
      },
      "NearestFacility": {
        "type": "object", "required": ["kind", "distance_m", "facility"],
        "properties": {
          "kind": { "type": "string" },
          "distance_m": { "type": "number", "description": "Great-circle metres from the home" },
          "facility": { "type": "object", "description": "The facility as a GeoJSON Point Feature (properties as in GET /api/v1/facilities)" }
        }
      },
      "EvacuationList": {
        "type": "object", "required": ["zone", "start", "persons", "total_m", "truncated", "groups"],
        "properties": {
          "zone": { "type": "object" },
          "start": { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2 },
          "persons": { "type": "integer" },
          "total_m": { "type": "number", "description": "The whole walking route, great-circle metres" },
          "truncated": { "type": "boolean" },
          "groups": { "type": "array", "items": { "type": "object", "required": ["kelurahan_code", "rw", "rt", "stops"], "properties": {
            "kelurahan_code": { "type": "string" }, "rw": { "type": "string" }, "rt": { "type": "string" },
            "stops": { "type": "array", "items": { "type": "object", "required": ["order", "leg_m", "needs", "person"], "properties": {
              "order": { "type": "integer" }, "leg_m": { "type": "number" },
              "needs": { "type": "object", "properties": { "mobility": { "type": "boolean" }, "blind": { "type": "boolean" }, "deaf": { "type": "boolean" }, "communication": { "type": "boolean" }, "devices": { "type": "array", "items": { "type": "string" } } } },
              "person": { "$ref": "#/components/schemas/Person" } } } } } } }
        }
      },
      "VisitRequest": { "type": "object", "additionalProperties": false, "required": ["start"], "properties": {
        "start": { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2, "description": "[lon, lat]" },
        "persons": { "type": "array", "items": { "type": "string", "format": "uuid" }, "maxItems": 1000, "description": "Whom to visit; or kelurahan" },
        "kelurahan": { "type": "string", "description": "Every person of this kelurahan (at most 1000); or persons" },
        "status": { "$ref": "#/components/schemas/Status" } } },
      "VisitRoute": { "type": "object", "required": ["start", "stops", "total_m", "unlocated"], "properties": {
        "start": { "type": "array", "items": { "type": "number" } },
        "stops": { "type": "array", "items": { "type": "object", "required": ["order", "leg_m", "cumulative_m", "person"], "properties": {
          "order": { "type": "integer", "minimum": 1 },
          "leg_m": { "type": "number", "description": "Great-circle metres from the previous stop (the start for the first)" },
          "cumulative_m": { "type": "number" },
          "person": { "$ref": "#/components/schemas/Person" } } } },
        "total_m": { "type": "number" },
        "unlocated": { "type": "array", "items": { "$ref": "#/components/schemas/Person" }, "description": "Persons without a home location: not routed" } } },
      "PersonPage": { "type": "object", "required": ["items", "next_cursor"], "properties": {
        "items": { "type": "array", "items": { "allOf": [ { "$ref": "#/components/schemas/Person" }, { "type": "object", "properties": {
          "distance_m": { "type": "number", "description": "With near: metres from that point (great circle)" } } } ] } },
        "next_cursor": { "type": ["string", "null"] },
        "truncated": { "type": "boolean", "description": "Spatial queries: more persons matched than limit (or k)" } } }
    }
  }
})JSON";
    return kDocument;
}

} // namespace kapal::http
