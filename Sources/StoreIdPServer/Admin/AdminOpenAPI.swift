import Foundation
import Vapor

/// The OpenAPI 3.1 document of `/admin/api/v1` (`GET /admin/api/v1/openapi.json`). Every
/// operation lists the statuses it answers; `AdminOpenAPITests` sends each operation its example
/// and checks the answer is one of them, and that every registered route is in the document.
enum AdminOpenAPI {
    static func response() -> Response {
        let response = Response(status: .ok, body: .init(string: document))
        response.headers.contentType = .json
        return response
    }

    static let document = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "StoreIdP admin API",
        "version": "1",
        "description": "Register service providers, find and edit customers, rotate signing keys and read the audit log. The same validation as the command line; errors are JSON {error, message, field}."
      },
      "servers": [{"url": "/admin/api/v1"}],
      "security": [{"bearer": []}],
      "components": {
        "securitySchemes": {
          "bearer": {"type": "http", "scheme": "bearer", "description": "STOREIDP_ADMIN_TOKEN, or a token from `storeidp admins token`"}
        },
        "schemas": {
          "Error": {
            "type": "object", "required": ["error", "message"],
            "properties": {"error": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string", "description": "where the problem is, as providers apply names it"}}
          },
          "ProviderEntry": {
            "type": "object", "required": ["slug", "protocol"],
            "description": "One providers.yml entry written as JSON, with the same keys (README, Service providers). Certificates are PEM text; *_file keys and metadata paths are refused.",
            "properties": {
              "slug": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"}, "logo_url": {"type": "string"},
              "protocol": {"enum": ["saml", "jwt", "bigcommerce", "oidc"]}, "lifetime_seconds": {"type": "integer"}, "audience": {"type": "string"},
              "access": {"type": "object"}, "attributes": {"type": "object", "additionalProperties": {"type": "string"}}, "attribute_preset": {"type": "string"},
              "storefront_return_url": {"type": "string"}, "saml": {"type": "object"}, "jwt": {"type": "object"}, "bigcommerce": {"type": "object"}, "oidc": {"type": "object"}
            },
            "additionalProperties": false
          },
          "ServiceProvider": {"type": "object", "description": "A registered provider as stored (the shape `storeidp providers show` prints)."},
          "Customer": {"type": "object", "description": "A customer, without its password hash."},
          "Key": {
            "type": "object",
            "properties": {"kid": {"type": "string"}, "algorithm": {"type": "string"}, "state": {"enum": ["next", "active", "retired"]}, "created_at": {"type": "string"},
                           "activated_at": {"type": "string"}, "retired_at": {"type": "string"}, "not_after": {"type": "string"}, "published": {"type": "boolean"},
                           "certificate": {"type": "string"}}
          }
        },
        "responses": {
          "Unauthorized": {"description": "No token, or a wrong one (WWW-Authenticate: Bearer)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Forbidden": {"description": "A store session without an admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "NotFound": {"description": "No such resource", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Invalid": {"description": "Validation failed; `field` names the place", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Conflict": {"description": "Already exists", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "TooLarge": {"description": "The body is larger than the route accepts", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "UnsupportedMediaType": {"description": "A content type the route does not take", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "parameters": {
          "slug": {"name": "slug", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,63}$"}, "example": "example-sp"},
          "customerID": {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}
        }
      },
      "paths": {
        "/openapi.json": {
          "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
        },
        "/providers": {
          "get": {"summary": "Every registered provider", "responses": {"200": {"description": "{providers: [ServiceProvider]}"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}},
          "post": {
            "summary": "Register a provider",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProviderEntry"},
              "example": {"slug": "example-sp", "name": "Example SP", "protocol": "saml", "saml": {"entity_id": "https://sp.example/sp", "acs_urls": ["https://sp.example/acs"]}}}}},
            "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ServiceProvider"}}}},
                          "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "409": {"$ref": "#/components/responses/Conflict"},
                          "413": {"$ref": "#/components/responses/TooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"$ref": "#/components/responses/Invalid"}}
          }
        },
        "/providers/metadata": {
          "post": {
            "summary": "Register a SAML SP from its metadata: multipart upload (metadata file, slug, name) or JSON {slug, url, name}. URLs must be https and public; no redirect is followed; 1 MiB and 5 s at most.",
            "requestBody": {"required": true, "content": {
              "multipart/form-data": {"schema": {"type": "object", "required": ["metadata", "slug"], "properties": {"metadata": {"type": "string", "format": "binary"}, "slug": {"type": "string"}, "name": {"type": "string"}}}},
              "application/json": {"schema": {"type": "object", "required": ["slug", "url"], "properties": {"slug": {"type": "string"}, "url": {"type": "string"}, "name": {"type": "string"}}},
                                   "example": {"slug": "metadata-sp", "url": "https://127.0.0.1/metadata.xml"}}}},
            "responses": {"201": {"description": "Created"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
                          "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/TooLarge"},
                          "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"$ref": "#/components/responses/Invalid"}}
          }
        },
        "/providers/{slug}": {
          "parameters": [{"$ref": "#/components/parameters/slug"}],
          "get": {"summary": "One provider", "responses": {"200": {"description": "ServiceProvider"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
                                                            "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}},
          "put": {
            "summary": "Replace a provider (same slug, same protocol); StoreIdP-Outcome: updated | unchanged",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProviderEntry"},
              "example": {"slug": "example-sp", "name": "Example SP, renamed", "protocol": "saml", "saml": {"entity_id": "https://sp.example/sp", "acs_urls": ["https://sp.example/acs"]}}}}},
            "responses": {"200": {"description": "Replaced"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
                          "404": {"$ref": "#/components/responses/NotFound"}, "413": {"$ref": "#/components/responses/TooLarge"},
                          "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"$ref": "#/components/responses/Invalid"}}
          },
          "delete": {"summary": "Remove a provider", "responses": {"204": {"description": "Removed"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
                                                                  "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
        },
        "/providers/{slug}/preview": {
          "parameters": [{"$ref": "#/components/parameters/slug"}, {"name": "customer", "in": "query", "required": true, "schema": {"type": "string"}, "example": "ann@shop.example"}],
          "get": {"summary": "What the customer would send the provider (the providers preview JSON)",
                  "responses": {"200": {"description": "Preview"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
                                "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
        },
        "/customers": {
          "get": {
            "summary": "Search customers by email, name or company (50 a page)",
            "parameters": [{"name": "query", "in": "query", "schema": {"type": "string", "maxLength": 254}, "example": "shop.example"},
                           {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}, "example": 1}],
            "responses": {"200": {"description": "{customers: [Customer], page, per_page, total}"}, "401": {"$ref": "#/components/responses/Unauthorized"},
                          "403": {"$ref": "#/components/responses/Forbidden"}, "422": {"$ref": "#/components/responses/Invalid"}}
          },
          "post": {
            "summary": "Create a customer (one line of the JSONL import format; an optional plain password is hashed with bcrypt)",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["email"]},
              "example": {"email": "new.customer@shop.example", "first_name": "New", "last_name": "Customer", "group": "Retail"}}}},
            "responses": {"201": {"description": "Created; Location names it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Customer"}}}},
                          "400": {"description": "Not a JSON object"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
                          "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/TooLarge"},
                          "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"$ref": "#/components/responses/Invalid"}}
          }
        },
        "/customers/import": {
          "post": {
            "summary": "Import CSV (text/csv) or JSONL (application/x-ndjson, application/jsonl); answers the per-row report",
            "requestBody": {"required": true, "content": {
              "text/csv": {"schema": {"type": "string"}, "example": "email,first_name,last_name\nbulk.one@shop.example,Bulk,One\n"},
              "application/x-ndjson": {"schema": {"type": "string"}}, "application/jsonl": {"schema": {"type": "string"}}}},
            "responses": {"200": {"description": "{format, rows, created, updated, unchanged, rejected, rejections: [{line, reason}], rejections_omitted}"},
                          "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
                          "413": {"$ref": "#/components/responses/TooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                          "422": {"$ref": "#/components/responses/Invalid"}}
          }
        },
        "/customers/{id}": {
          "parameters": [{"$ref": "#/components/parameters/customerID"}],
          "get": {"summary": "One customer", "responses": {"200": {"description": "Customer"}, "401": {"$ref": "#/components/responses/Unauthorized"},
                                                           "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}}},
          "patch": {
            "summary": "Change the fields present (null or \"\" clears one; \"status\": \"disabled\" disables)",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}, "example": {"phone": "+61 2 5550 1234", "status": "active"}}}},
            "responses": {"200": {"description": "Customer"}, "400": {"description": "Not a JSON object"}, "401": {"$ref": "#/components/responses/Unauthorized"},
                          "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
                          "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/TooLarge"},
                          "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"$ref": "#/components/responses/Invalid"}}
          }
        },
        "/audit": {
          "get": {
            "summary": "Sign-ins, refusals and admin changes, newest first (100 a page)",
            "parameters": [{"name": "provider", "in": "query", "schema": {"type": "string"}},
                           {"name": "customer", "in": "query", "schema": {"type": "string", "format": "uuid"}},
                           {"name": "kind", "in": "query", "schema": {"type": "string"}, "example": "provider.created"},
                           {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}, "example": "2020-01-01T00:00:00Z"},
                           {"name": "until", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                           {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}}],
            "responses": {"200": {"description": "{events: [{kind, at, provider, customer_id, subject, client_address, detail}], page, per_page, has_more}"},
                          "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
                          "422": {"$ref": "#/components/responses/Invalid"}}
          }
        },
        "/keys": {
          "get": {"summary": "Every signing key's public parts", "responses": {"200": {"description": "{keys: [Key]}"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
        },
        "/keys/rotate": {
          "post": {"summary": "Rotate: next becomes active, active retires, a new next key is made", "responses": {"200": {"description": "{keys: [Key]}"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}
        }
      }
    }
    """#
}
