import os

# The password is read from the environment: fine.
DB_PASSWORD = os.environ["DB_PASSWORD"]

# This one is not: a connection URL with the password in clear.
ANALYTICS_URL = "postgresql://analytics:Vq7mX2pLr9tZk4wQ@analytics-db.internal:5432/events"

GITHUB_TOKEN = "ghp_R8mQ2xT7kL9vB4nZ1wC6yD3fH5jP0sA8gE2u"  # used by the release script
