"""Extensions, created once here and bound to each app in create_app() with init_app()."""
from authlib.integrations.flask_client import OAuth
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from web.database import Database
from web.rasa import RasaClient

babel = Babel()
csrf = CSRFProtect()
database = Database()
# Per client address; the storage is RATELIMIT_STORAGE_URI (memory:// by default, Redis when several
# web workers must share the counts).
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()
oauth = OAuth()
rasa = RasaClient()
