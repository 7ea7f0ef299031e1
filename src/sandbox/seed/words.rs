//! Word lists the demo tenant is made of: names, companies, cities, roles, staff, ticket
//! titles per sub-issue type, note texts and project names.

pub(super) const FIRST_NAMES: &[&str] = &[
    "Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn",
    "Priya", "Chen", "Fatima", "Lars", "Sofia", "Mateo", "Aisha", "Noah", "Emma", "Liam", "Olivia",
    "Lucas", "Mia", "Ethan", "Zara", "Hiro", "Ingrid", "Omar", "Nadia", "Felix",
];
pub(super) const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Martinez", "Lopez", "Wilson",
    "Anderson", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker",
    "Adams", "Nelson", "Patel", "Kim", "Novak", "Okafor", "Rossi", "Schmidt",
];
pub(super) const COMPANY_WORDS: &[&str] = &[
    "Acme",
    "Harbor",
    "Summit",
    "Pioneer",
    "Granite",
    "Cedar",
    "Bluewater",
    "Redwood",
    "Lakeside",
    "Northgate",
    "Evergreen",
    "Silverline",
    "Ironbridge",
    "Maple",
    "Oakridge",
    "Crescent",
    "Falcon",
    "Beacon",
    "Meridian",
    "Horizon",
    "Keystone",
    "Riverside",
    "Sterling",
    "Westfield",
    "Brookstone",
    "Coastal",
    "Highland",
    "Juniper",
    "Orchard",
    "Prairie",
];
pub(super) const COMPANY_KINDS: &[&str] = &[
    "Dental",
    "Law Group",
    "Logistics",
    "Accounting",
    "Architects",
    "Medical Clinic",
    "Manufacturing",
    "Realty",
    "Insurance",
    "Engineering",
    "Veterinary",
    "Foods",
    "Hotels",
    "Construction",
    "Consulting",
];
pub(super) const CITIES: &[(&str, &str)] = &[
    ("Portland", "OR"),
    ("Seattle", "WA"),
    ("Denver", "CO"),
    ("Austin", "TX"),
    ("Boston", "MA"),
    ("Raleigh", "NC"),
    ("Madison", "WI"),
    ("Boise", "ID"),
];
pub(super) const ROLES: &[(&str, f64)] = &[
    ("Service Desk L1", 95.0),
    ("Service Desk L2", 125.0),
    ("Systems Engineer", 150.0),
    ("Project Manager", 140.0),
    ("Account Manager", 110.0),
    ("Administrator", 100.0),
];
pub(super) const STAFF: &[(&str, &str, &str, usize)] = &[
    ("Dana", "Whitfield", "Managing Director", 5),
    ("Marcus", "Reyes", "Account Manager", 4),
    ("Elena", "Kowalski", "Project Manager", 3),
    ("Tom", "Brennan", "Service Desk Technician", 0),
    ("Aiko", "Tanaka", "Service Desk Technician", 0),
    ("Ben", "Osei", "Service Desk Technician", 0),
    ("Clara", "Lindqvist", "Service Desk Technician", 0),
    ("Devon", "Hughes", "Service Desk Technician", 0),
    ("Farah", "Haddad", "Service Desk Technician", 0),
    ("George", "Mensah", "Senior Technician", 1),
    ("Hana", "Novakova", "Senior Technician", 1),
    ("Ivan", "Petrov", "Senior Technician", 1),
    ("Julia", "Santos", "Senior Technician", 1),
    ("Kofi", "Asante", "Systems Engineer", 2),
    ("Lena", "Fischer", "Systems Engineer", 2),
];
pub(super) const TITLES: &[(i64, &[&str])] = &[
    (
        11,
        &[
            "Laptop will not boot",
            "Blue screen on startup",
            "Docking station not detecting monitors",
            "Keyboard and mouse unresponsive",
        ],
    ),
    (
        12,
        &[
            "Printer offline",
            "Printer shows paper jam",
            "Scan to email not working",
            "Toner replacement needed",
        ],
    ),
    (
        13,
        &[
            "Server disk space low",
            "File server unreachable",
            "Backup job failed on server",
            "Server high CPU alert",
        ],
    ),
    (
        21,
        &[
            "Outlook keeps asking for password",
            "Excel crashes when opening file",
            "Teams calls dropping",
            "OneDrive not syncing",
        ],
    ),
    (
        22,
        &[
            "Accounting package licence error",
            "Practice management app slow",
            "Line of business app update request",
            "Database connection error in app",
        ],
    ),
    (
        23,
        &[
            "Windows update stuck",
            "Request OS upgrade",
            "Slow login after update",
            "Missing drivers after reinstall",
        ],
    ),
    (
        31,
        &[
            "Internet down at main office",
            "Intermittent connectivity",
            "ISP outage reported",
            "Slow internet speeds",
        ],
    ),
    (
        32,
        &[
            "VPN will not connect",
            "VPN disconnects every hour",
            "New VPN user required",
            "VPN certificate expired",
        ],
    ),
    (
        33,
        &[
            "Wi-Fi dropping in meeting room",
            "Guest Wi-Fi password change",
            "Weak Wi-Fi signal upstairs",
            "Access point offline",
        ],
    ),
    (
        41,
        &[
            "Password reset required",
            "Account locked out",
            "Password expiry reminder not received",
            "Reset MFA and password",
        ],
    ),
    (
        42,
        &[
            "New starter setup",
            "New user account and laptop",
            "Create mailbox for new employee",
            "New starter onboarding Monday",
        ],
    ),
    (
        43,
        &[
            "Leaver account disable",
            "Remove access for departing employee",
            "Archive mailbox for leaver",
            "Collect equipment from leaver",
        ],
    ),
    (
        51,
        &[
            "Suspicious email reported",
            "Phishing link clicked",
            "Spoofed invoice email",
            "Report phishing campaign",
        ],
    ),
    (
        52,
        &[
            "Antivirus detected malware",
            "Ransomware alert investigation",
            "Suspicious process on workstation",
            "Endpoint protection disabled",
        ],
    ),
    (
        53,
        &[
            "MFA prompt not received",
            "New phone MFA re-registration",
            "Enforce MFA for all users",
            "MFA locked out",
        ],
    ),
];
pub(super) const NOTE_TEXTS: &[&str] = &[
    "Called the user and confirmed the issue.",
    "Remoted in and applied the fix; waiting for the user to confirm.",
    "Escalated to level II for further investigation.",
    "Left a voicemail, will try again this afternoon.",
    "Vendor ticket opened, awaiting response.",
    "User confirmed everything is working again.",
    "Replaced the faulty component on site.",
    "Documented the resolution in the knowledge base.",
];
pub(super) const PROJECTS: &[&str] = &[
    "Microsoft 365 Migration",
    "Firewall Replacement",
    "Office Move",
    "Server Refresh",
    "Backup Modernisation",
    "Wi-Fi Upgrade",
    "Security Hardening",
    "Intune Rollout",
];
