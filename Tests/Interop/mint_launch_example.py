#!/usr/bin/env python3
"""What a storefront backend runs when its signed-in customer clicks a partner link: sign a
launch token (HS256, STOREIDP_LAUNCH_SECRET) and send the browser to /launch/{slug}?token=….
Only PyJWT; the same algorithm as Tests/Interop/LAUNCH.md's PHP and Node versions.

    STOREIDP_LAUNCH_SECRET=… STOREIDP_LAUNCH_ISSUER=https://shop.example STOREIDP_BASE_URL=https://id.shop.example \
      python mint_launch_example.py SLUG CUSTOMER_ID EMAIL GIVEN_NAME FAMILY_NAME [GROUP]
prints the launch URL.
"""
import os, sys, time, uuid
from urllib.parse import quote

import jwt

slug, customer_id, email, given_name, family_name = sys.argv[1:6]
group = sys.argv[6] if len(sys.argv) > 6 else None

# --- the snippet ---------------------------------------------------------------------------
base_url = os.environ["STOREIDP_BASE_URL"].rstrip("/")   # aud: StoreIdP's base URL, exactly
now = int(time.time())
claims = {"iss": "https://shop.example", "aud": base_url, "sub": customer_id, "email": email,
          "given_name": given_name, "family_name": family_name,
          "iat": now, "exp": now + 60, "jti": uuid.uuid4().hex}   # exp at most iat + 120; jti single use
if group:
    claims["group"] = group
token = jwt.encode(claims, os.environ["STOREIDP_LAUNCH_SECRET"], algorithm="HS256")  # header typ JWT
print(f"{base_url}/launch/{quote(slug)}?token={token}")
# -------------------------------------------------------------------------------------------
