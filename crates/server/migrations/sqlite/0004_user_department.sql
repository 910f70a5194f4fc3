-- A joint-review department user (联审部门) belongs to one department (snake_case name,
-- e.g. public_security); NULL for every other role.
ALTER TABLE users ADD COLUMN department TEXT;
