-- One definition of "the role a user holds in an enterprise": the highest of
-- the direct membership and the team memberships. Every access query reads
-- this view instead of repeating the union.
CREATE VIEW effective_roles AS
SELECT enterprise_id, user_id, max(role) AS role
  FROM (SELECT m.enterprise_id, m.user_id, m.role FROM memberships m
        UNION ALL
        SELECT t.enterprise_id, tm.user_id, t.role
          FROM teams t JOIN team_members tm ON tm.team_id = t.id) grants
 GROUP BY enterprise_id, user_id;
