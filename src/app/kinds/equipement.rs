//! An equipement: its list columns, its form and what saving it sends.

use super::*;

impl Record for Equipement {
    const KIND: &'static str = "equipements";
    fn cells(&self) -> Vec<String> {
        vec![
            self.ip.to_string(),
            self.port.map(|p| p.to_string()).unwrap_or_default(),
            self.marque.to_string(),
            self.modele.to_string(),
            self.client_site
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            self.sources.joined(),
            self.timestamp
                .as_ref()
                .map(|t| t.short())
                .unwrap_or_default(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.equipement_id)
    }
    fn label(&self) -> String {
        match self.port {
            Some(p) => format!(
                "equipement {}:{} ({} {})",
                self.ip, p, self.marque, self.modele
            ),
            None => format!("equipement {}", self.ip),
        }
    }
}

impl Form {
    /// `sites`: (site_id, name) pairs.
    pub fn equipement(
        existing: Option<&Equipement>,
        sites: Vec<(String, String)>,
        site: Option<&str>,
    ) -> Form {
        let e = existing.cloned().unwrap_or_default();
        let site_value = e
            .site_id()
            .map(str::to_string)
            .or(site.map(str::to_string))
            .unwrap_or_default();
        let fields = vec![
            Field::new(
                "site_id",
                "Site",
                FieldKind::Choice {
                    options: sites,
                    selected: None,
                },
                true,
            )
            .with_value(&site_value),
            Field::new("ip", "IP address", FieldKind::Ip, true).with_value(&e.ip),
            Field::new(
                "port",
                "Port",
                FieldKind::Integer { min: 1, max: 65535 },
                true,
            )
            .with_value(&e.port.map(|p| p.to_string()).unwrap_or_default()),
            Field::new(
                "marque",
                "Brand",
                FieldKind::Text { min: 1, max: 100 },
                true,
            )
            .with_value(&e.marque),
            Field::new(
                "modele",
                "Model",
                FieldKind::Text { min: 1, max: 100 },
                true,
            )
            .with_value(&e.modele),
            Field::new(
                "sources",
                "Sources (comma-separated)",
                FieldKind::List,
                false,
            )
            .with_value(&e.sources.0.join(", ")),
            Field::new(
                "username",
                "Username",
                FieldKind::Text { min: 0, max: 200 },
                false,
            )
            .with_value(&e.username),
            Field::new(
                "password",
                "Password",
                FieldKind::Password { min: 0 },
                false,
            )
            .with_value(e.password.expose()),
            Field::new(
                "description",
                "Description",
                FieldKind::Text { min: 0, max: 1000 },
                false,
            )
            .with_value(&e.description),
        ];
        Form::build(
            FormKind::Equipement,
            existing.map(|e| e.equipement_id.clone()),
            fields,
        )
    }

    /// The create or update an equipement form sends.
    pub(crate) fn equipement_mutation(&self) -> Option<Mutation> {
        let id = self.record_id.clone();
        Some(match id {
            None => Mutation::CreateEquipement(NewEquipement {
                ip: self.val("ip").trim().to_string(),
                site_id: self.val("site_id"),
                marque: self.val("marque").trim().to_string(),
                sources: list_values(&self.val("sources")),
                port: self.val("port").trim().parse().unwrap_or_default(),
                username: self.val("username"),
                password: self.val("password"),
                description: self.val("description"),
                modele: self.val("modele").trim().to_string(),
            }),
            Some(equipement_id) => Mutation::UpdateEquipement(EquipementUpdate {
                equipement_id,
                ip: self.changed("ip").map(|s| s.trim().to_string()),
                site_id: self.changed("site_id"),
                marque: self.changed("marque").map(|s| s.trim().to_string()),
                sources: self.changed("sources").map(|s| list_values(&s)),
                port: self.changed("port").and_then(|s| s.trim().parse().ok()),
                username: self.changed("username"),
                password: self.changed("password"),
                description: self.changed("description"),
                modele: self.changed("modele").map(|s| s.trim().to_string()),
            }),
        })
    }
}
