import { sql, type Kysely } from 'kysely';

// Frozen. Follow-up with an owner, a due date in working days, escalation, and a public reply
// the citizen reads with a code; comments carry the SIPAS elements they speak about.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table comment
      -- The SIPAS elements (sipas_element.code) the comment speaks about, tagged as it is stored.
      add column elements text[] not null default '{}',
      -- The code the citizen was given to read the unit's reply (Crockford base32, 60 bits).
      add column follow_up_code text check (follow_up_code ~ '^[0-9A-HJKMNP-TV-Z]{12}$');
    -- Not unique: a client chooses its code, and one that repeats another is left out on write.
    create index comment_follow_up_code on comment (follow_up_code) where follow_up_code is not null;
    create index comment_elements on comment using gin (elements);

    alter table follow_up
      add column assigned_to integer references official (id),
      add column due_on date,
      add column escalated_at timestamptz,
      -- What the citizen reads with the code, apart from the internal note.
      add column public_reply text check (char_length(public_reply) between 1 and 2000),
      add column replied_at timestamptz;
    create index follow_up_open_due on follow_up (due_on) where status <> 'answered';
    create index follow_up_assigned_to on follow_up (assigned_to) where assigned_to is not null;

    -- Working days a unit gives itself to follow up a comment or a low rating; a unit without
    -- its own takes its nearest ancestor's, and 5 when none has one.
    alter table unit add column follow_up_days smallint check (follow_up_days between 1 and 60);

    create function follow_up_days_of(unit_id integer) returns smallint language sql stable as $$
      with recursive chain (id, parent_id, days, depth) as (
        select id, parent_id, follow_up_days, 0 from unit where id = unit_id
        union all
        select u.id, u.parent_id, u.follow_up_days, chain.depth + 1
        from unit u join chain on u.id = chain.parent_id
        where chain.days is null and chain.depth < 20
      )
      select coalesce((select days from chain where days is not null order by depth limit 1), 5)::smallint
    $$;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop function follow_up_days_of(integer);
    alter table unit drop column follow_up_days;
    alter table follow_up drop column assigned_to, drop column due_on, drop column escalated_at,
      drop column public_reply, drop column replied_at;
    alter table comment drop column elements, drop column follow_up_code;
  `.execute(db);
}
