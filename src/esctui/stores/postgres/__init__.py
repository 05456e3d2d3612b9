"""The PostgreSQL store (asyncpg): several esctui processes over one database.

Only the database commands (`esctui db ...`) and stores opened on a database import this
package, and with it asyncpg.
"""

from esctui.stores.postgres.leader import Leadership
from esctui.stores.postgres.schema import migrate
from esctui.stores.postgres.store import PostgresStore
from esctui.stores.postgres.transfer import create, fill, take_out

__all__ = ["Leadership", "PostgresStore", "create", "fill", "migrate", "take_out"]
