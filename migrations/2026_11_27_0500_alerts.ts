import { sql, type Kysely } from 'kysely';

// Frozen. Alerts: rules per unit, the alerts they raise (one open alert per condition until
// it clears), who read them, and their delivery by e-mail and signed webhook through an
// outbox, so that a restart loses nothing and each recipient gets each alert once.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- A unit without a row uses the defaults written here.
    create table alert_setting (
      unit_id integer primary key references unit (id),
      below_target boolean not null default true,
      below_target_min_ratings smallint not null default 30 check (below_target_min_ratings between 10 and 10000),
      unhappy_spike boolean not null default true,
      spike_window_hours smallint not null default 24 check (spike_window_hours between 1 and 168),
      spike_min_ratings smallint not null default 10 check (spike_min_ratings between 5 and 1000),
      serious_comment boolean not null default true,
      silent_kiosk boolean not null default true,
      silent_minutes smallint not null default 30 check (silent_minutes between 5 and 1440),
      queue_limit integer not null default 20 check (queue_limit between 1 and 100000),
      -- Opening hours in Vietnam time, Monday to Friday, and Saturday morning if it opens.
      opens_at time not null default '07:30',
      closes_at time not null default '17:00',
      open_saturday boolean not null default false,
      updated_at timestamptz not null default now(),
      updated_by integer references official (id),
      check (opens_at < closes_at)
    );

    create table alert (
      id integer generated always as identity primary key,
      rule text not null check (rule in ('below_target', 'unhappy_spike', 'serious_comment', 'silent_kiosk')),
      -- What the alert is about, e.g. 'below_target:desk:12': one open alert per key.
      condition_key text not null check (char_length(condition_key) <= 200),
      unit_id integer not null references unit (id),
      domain_id smallint references domain (id),
      desk_id integer references desk (id),
      device_id integer references kiosk_device (id),
      response_id bigint references response (id),
      explanation_vi text not null,
      explanation_en text not null,
      link text not null,
      evidence jsonb not null default '{}',
      fired_at timestamptz not null,
      cleared_at timestamptz check (cleared_at >= fired_at)
    );
    create unique index alert_open_condition on alert (condition_key) where cleared_at is null;
    create index alert_unit_fired on alert (unit_id, fired_at desc, id desc);

    create table alert_read (
      official_id integer not null references official (id),
      alert_id integer not null references alert (id),
      read_at timestamptz not null default now(),
      primary key (official_id, alert_id)
    );

    create table alert_email_preference (
      official_id integer primary key references official (id),
      email text not null check (char_length(email) between 3 and 254),
      frequency text not null check (frequency in ('immediate', 'daily', 'weekly', 'off')),
      updated_at timestamptz not null default now()
    );

    create table alert_webhook (
      id integer generated always as identity primary key,
      unit_id integer not null references unit (id),
      url text not null check (char_length(url) <= 500),
      -- Shared with the receiver, which checks each body's HMAC-SHA256 with it.
      secret text not null,
      active boolean not null default true,
      created_at timestamptz not null default now(),
      created_by integer references official (id)
    );
    create index alert_webhook_unit on alert_webhook (unit_id);

    -- The outbox: one row per alert, event and recipient, sent when due and retried with backoff.
    create table alert_delivery (
      id bigint generated always as identity primary key,
      alert_id integer not null references alert (id),
      event text not null check (event in ('fired', 'cleared')),
      channel text not null check (channel in ('email', 'webhook')),
      official_id integer references official (id),
      webhook_id integer references alert_webhook (id),
      due_at timestamptz not null,
      status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
      attempts smallint not null default 0,
      last_status_code smallint,
      last_error text,
      delivered_at timestamptz,
      created_at timestamptz not null default now(),
      check ((channel = 'email') = (official_id is not null) and (channel = 'webhook') = (webhook_id is not null))
    );
    create unique index alert_delivery_once on alert_delivery (alert_id, event, channel, coalesce(official_id, webhook_id));
    create index alert_delivery_due on alert_delivery (due_at) where status = 'pending';
    create index alert_delivery_webhook on alert_delivery (webhook_id, id desc) where webhook_id is not null;

    -- How far the evaluator has read the ratings and comments.
    create table alert_cursor (
      name text primary key,
      last_id bigint not null
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table alert_cursor, alert_delivery, alert_webhook, alert_email_preference, alert_read, alert, alert_setting;
  `.execute(db);
}
