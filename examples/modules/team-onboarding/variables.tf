variable "team" {
  description = "The team's short name, used in the names of the objects the module creates and as the `team` label: 2-32 lowercase letters, digits or hyphens, starting with a letter, such as `orders`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,31}$", var.team))
    error_message = "team must be 2-32 lowercase letters, digits or hyphens, starting with a letter, such as \"orders\"."
  }
}

variable "environment" {
  description = "Where the team's application runs: `development`, `staging` or `production`."
  type        = string

  validation {
    condition     = contains(["development", "staging", "production"], var.environment)
    error_message = "environment must be one of \"development\", \"staging\" or \"production\"."
  }
}

variable "application_name" {
  description = "The application's name, unique within its environment; defaults to `<team>-orders`. 1-100 letters, digits, `-`, `_` or `.`."
  type        = string
  default     = null

  validation {
    condition     = var.application_name == null || can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", var.application_name))
    error_message = "application_name must be 1-100 letters, digits, \"-\", \"_\" or \".\", starting with a letter or digit, such as \"order-management\"."
  }
}

variable "application_version" {
  description = "The application's semantic version, such as `2.3.0`."
  type        = string

  validation {
    condition     = can(regex("^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$", var.application_version))
    error_message = "application_version must be a semantic version MAJOR.MINOR.PATCH without leading zeros, such as \"2.3.0\"."
  }
}

variable "description" {
  description = "What the team's application is for."
  type        = string
  default     = ""
}

variable "labels" {
  description = "Extra labels for the application (the module adds `team` and `managed-by`). Keys are 1-63 letters, digits, `.`, `_`, `-` or `/`; values at most 255 characters."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[A-Za-z0-9._/-]{1,63}$", k)) && length(v) <= 255])
    error_message = "labels keys must be 1-63 letters, digits, \".\", \"_\", \"-\" or \"/\", and values at most 255 characters."
  }
}

variable "workflow_version" {
  description = "The semantic version of the order-fulfillment workflow, such as `1.5.2`; executions record the version they ran."
  type        = string
  default     = "1.0.0"

  validation {
    condition     = can(regex("^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$", var.workflow_version))
    error_message = "workflow_version must be a semantic version MAJOR.MINOR.PATCH without leading zeros, such as \"1.5.2\"."
  }
}

variable "workflow_enabled" {
  description = "Whether the order-fulfillment workflow runs. A disabled workflow ignores its trigger."
  type        = bool
  default     = true
}

variable "order_created_event" {
  description = "The event type that starts the order-fulfillment workflow (dotted lowercase name)."
  type        = string
  default     = "order.created"

  validation {
    condition     = can(regex("^[a-z0-9_]+(\\.[a-z0-9_]+)+$", var.order_created_event))
    error_message = "order_created_event must be a dotted lowercase name such as \"order.created\"."
  }
}

variable "order_fulfilled_event" {
  description = "The event type the workflow publishes when an order went through (dotted lowercase name)."
  type        = string
  default     = "order.fulfilled"

  validation {
    condition     = can(regex("^[a-z0-9_]+(\\.[a-z0-9_]+)+$", var.order_fulfilled_event))
    error_message = "order_fulfilled_event must be a dotted lowercase name such as \"order.fulfilled\"."
  }
}

variable "order_limit" {
  description = "The largest order `amount` the workflow accepts; larger orders fail with \"Amount exceeds limit\"."
  type        = number
  default     = 10000

  validation {
    condition     = var.order_limit > 0 && var.order_limit <= 1000000000 && floor(var.order_limit) == var.order_limit
    error_message = "order_limit must be a whole number between 1 and 1000000000."
  }
}

variable "crm_url" {
  description = "Where the workflow's http step posts each validated order: the CRM's order endpoint, an absolute `https://` URL without credentials."
  type        = string

  validation {
    condition     = can(regex("^https://[^/@[:space:]]+(/[^[:space:]]*)?$", var.crm_url))
    error_message = "crm_url must be an absolute https:// URL without credentials, such as \"https://crm.example.com/api/orders\"."
  }
}

variable "crm_token" {
  description = "A bearer token the http step sends to the CRM in the `Authorization` header; null sends none."
  type        = string
  default     = null
  sensitive   = true
}

variable "crm_timeout_ms" {
  description = "How long the call to the CRM may take, in milliseconds (100 to 60000)."
  type        = number
  default     = 5000

  validation {
    condition     = var.crm_timeout_ms >= 100 && var.crm_timeout_ms <= 60000
    error_message = "crm_timeout_ms must be between 100 and 60000."
  }
}

variable "webhooks" {
  description = <<-EOT
    The team's webhooks, by a short key: where the platform sends the application's events.
    `event_types` defaults to the workflow's two events. To sign with your own secret instead of
    one the platform generates, give it in `webhook_secrets` under the same key and set
    `secret_version` (raise it whenever you change the secret).
  EOT
  type = map(object({
    url            = string
    event_types    = optional(list(string))
    description    = optional(string, "")
    secret_version = optional(number)
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.webhooks) : can(regex("^[a-z][a-z0-9_-]{0,31}$", k))])
    error_message = "webhooks keys must be 1-32 lowercase letters, digits, \"_\" or \"-\", starting with a letter."
  }

  validation {
    condition     = alltrue([for w in values(var.webhooks) : can(regex("^https?://[^/@[:space:]]+(/[^[:space:]]*)?$", w.url))])
    error_message = "every webhook url must be an absolute http:// or https:// URL without credentials."
  }

  validation {
    condition = alltrue(flatten([
      for w in values(var.webhooks) : [
        for e in(w.event_types == null ? [] : w.event_types) : e == "*" || can(regex("^[a-z0-9_]+(\\.[a-z0-9_]+)+$", e))
      ]
    ]))
    error_message = "every webhook event type must be a dotted lowercase name such as \"order.created\", or \"*\" for every event."
  }

  validation {
    condition     = alltrue([for w in values(var.webhooks) : w.event_types == null ? true : length(w.event_types) >= 1 && length(w.event_types) <= 50])
    error_message = "a webhook's event_types, when given, must list 1-50 event types (leave it out for the workflow's two events)."
  }
}

variable "webhook_secrets" {
  description = "Your own signing secrets, by webhook key: `whsec_` followed by base64, or 24 to 256 characters. Sent to the platform as a write-only argument, never stored in the plan or state. Each needs `secret_version` on its webhook."
  type        = map(string)
  default     = {}
  sensitive   = true

  validation {
    condition     = alltrue([for s in values(var.webhook_secrets) : length(s) >= 24 && length(s) <= 256])
    error_message = "every webhook secret must be 24 to 256 characters, such as whsec_ followed by base64."
  }
}

variable "members" {
  description = <<-EOT
    The team's members, by a short handle: a platform user each, with a role on the team's
    application (`viewer`, `editor` or `admin`). `data_access` lists classification levels of
    `classification` whose data the member needs to know (a viewer role on that policy's data
    scope; `need-to-know` data is hidden from everyone else).
  EOT
  type = map(object({
    email        = string
    display_name = optional(string, "")
    role         = string
    data_access  = optional(list(string), [])
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.members) : can(regex("^[a-z][a-z0-9_-]{0,31}$", k))])
    error_message = "members keys must be 1-32 lowercase letters, digits, \"_\" or \"-\", starting with a letter, such as \"alice\"."
  }

  validation {
    condition     = alltrue([for m in values(var.members) : can(regex("^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$", m.email))])
    error_message = "every member needs an email address such as \"alice@example.com\"."
  }

  validation {
    condition     = length(distinct([for m in values(var.members) : lower(m.email)])) == length(var.members)
    error_message = "two members have the same email address (the platform compares them regardless of case)."
  }

  validation {
    condition     = alltrue([for m in values(var.members) : contains(["viewer", "editor", "admin"], m.role)])
    error_message = "every member's role must be \"viewer\", \"editor\" or \"admin\" (platform ownership is not granted by team modules)."
  }

  validation {
    condition     = alltrue(flatten([for m in values(var.members) : [for level in m.data_access : contains(["public", "internal", "confidential", "restricted"], level)]]))
    error_message = "data_access may list the levels \"public\", \"internal\", \"confidential\" and \"restricted\"."
  }

  validation {
    condition     = alltrue([for m in values(var.members) : length(m.display_name) <= 200])
    error_message = "a member's display_name may be at most 200 characters."
  }
}

variable "classification" {
  description = <<-EOT
    The application's data classification, by level (`public`, `internal`, `confidential`,
    `restricted`): the fields of that level as dotted patterns (`customer.email`, `**.card_number`),
    and optionally stronger `encryption` or `access` than the level's minimum, which is the default.
  EOT
  type = map(object({
    fields     = list(string)
    encryption = optional(string)
    access     = optional(string)
  }))
  default = {
    confidential = { fields = ["customer.email", "customer.phone"] }
    restricted   = { fields = ["**.card_number"] }
  }

  validation {
    condition     = alltrue([for level in keys(var.classification) : contains(["public", "internal", "confidential", "restricted"], level)])
    error_message = "classification keys must be levels: \"public\", \"internal\", \"confidential\" or \"restricted\"."
  }

  validation {
    condition     = alltrue([for c in values(var.classification) : length(c.fields) >= 1 && length(c.fields) <= 100 && length(distinct(c.fields)) == length(c.fields)])
    error_message = "each classification level needs 1-100 field patterns, each listed once."
  }

  validation {
    condition     = alltrue([for c in values(var.classification) : c.encryption == null || contains(["none", "at-rest", "at-rest+transit", "at-rest+transit+field-level"], coalesce(c.encryption, "none"))])
    error_message = "classification encryption must be \"none\", \"at-rest\", \"at-rest+transit\" or \"at-rest+transit+field-level\"."
  }

  validation {
    condition     = alltrue([for c in values(var.classification) : c.access == null || contains(["all", "authenticated", "role-based", "need-to-know"], coalesce(c.access, "all"))])
    error_message = "classification access must be \"all\", \"authenticated\", \"role-based\" or \"need-to-know\"."
  }
}
