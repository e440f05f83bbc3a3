CREATE TABLE audit_log (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	account VARCHAR(200) NOT NULL, 
	action VARCHAR(50) NOT NULL, 
	target VARCHAR(200), 
	detail TEXT, 
	prev_hash VARCHAR(64), 
	hash VARCHAR(64), 
	CONSTRAINT pk_audit_log PRIMARY KEY (id)
);
CREATE TABLE case_events (
	id INTEGER NOT NULL, 
	case_id INTEGER NOT NULL, 
	account VARCHAR(200) NOT NULL, 
	at DATETIME NOT NULL, 
	what VARCHAR(20) NOT NULL, 
	old_value VARCHAR(200), 
	new_value VARCHAR(200), 
	flag_rule VARCHAR(40), 
	CONSTRAINT pk_case_events PRIMARY KEY (id), 
	CONSTRAINT fk_case_events_case_id_cases FOREIGN KEY(case_id) REFERENCES cases (id) ON DELETE CASCADE
);
CREATE TABLE case_notes (
	id INTEGER NOT NULL, 
	case_id INTEGER NOT NULL, 
	author VARCHAR(200) NOT NULL, 
	written_at DATETIME NOT NULL, 
	text TEXT NOT NULL, 
	flag_rule VARCHAR(40), 
	CONSTRAINT pk_case_notes PRIMARY KEY (id), 
	CONSTRAINT fk_case_notes_case_id_cases FOREIGN KEY(case_id) REFERENCES cases (id) ON DELETE CASCADE
);
CREATE TABLE cases (
	id INTEGER NOT NULL, 
	child_id INTEGER NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	assigned_to VARCHAR(200), 
	opened_at DATETIME NOT NULL, 
	last_action_at DATETIME NOT NULL, 
	last_action_by VARCHAR(200) NOT NULL, 
	CONSTRAINT pk_cases PRIMARY KEY (id), 
	CONSTRAINT uq_cases_child_id UNIQUE (child_id), 
	CONSTRAINT fk_cases_child_id_children FOREIGN KEY(child_id) REFERENCES children (id) ON DELETE CASCADE
);
CREATE TABLE census_observations (
	id INTEGER NOT NULL, 
	child_id INTEGER NOT NULL, 
	school_id INTEGER NOT NULL, 
	census_date DATE NOT NULL, 
	upn_seen VARCHAR(13), 
	nc_year VARCHAR(3), 
	enrol_status VARCHAR(1), 
	entry_date DATE, 
	fsm BOOLEAN, 
	sen VARCHAR(1), 
	ethnicity VARCHAR(10), 
	looked_after BOOLEAN, 
	address_line1 VARCHAR(300), 
	postcode VARCHAR(10), 
	family_ref VARCHAR(50), 
	batch_id INTEGER, 
	CONSTRAINT pk_census_observations PRIMARY KEY (id), 
	CONSTRAINT uq_census_observations_child_id_school_id_census_date UNIQUE (child_id, school_id, census_date), 
	CONSTRAINT fk_census_observations_child_id_children FOREIGN KEY(child_id) REFERENCES children (id) ON DELETE CASCADE, 
	CONSTRAINT fk_census_observations_school_id_schools FOREIGN KEY(school_id) REFERENCES schools (id), 
	CONSTRAINT fk_census_observations_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id) ON DELETE SET NULL
);
CREATE TABLE child_family_keys (
	child_id INTEGER NOT NULL, 
	family_key VARCHAR(300) NOT NULL, 
	basis VARCHAR(20) NOT NULL, 
	address_key VARCHAR(300), 
	CONSTRAINT pk_child_family_keys PRIMARY KEY (child_id), 
	CONSTRAINT fk_child_family_keys_child_id_children FOREIGN KEY(child_id) REFERENCES children (id) ON DELETE CASCADE
);
CREATE TABLE child_identifiers (
	id INTEGER NOT NULL, 
	child_id INTEGER NOT NULL, 
	upn VARCHAR(13) NOT NULL, 
	kind VARCHAR(10) NOT NULL, 
	"temporary" BOOLEAN NOT NULL, 
	first_seen DATE, 
	batch_id INTEGER, 
	CONSTRAINT pk_child_identifiers PRIMARY KEY (id), 
	CONSTRAINT fk_child_identifiers_child_id_children FOREIGN KEY(child_id) REFERENCES children (id) ON DELETE CASCADE, 
	CONSTRAINT fk_child_identifiers_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id) ON DELETE SET NULL
);
CREATE TABLE child_status (
	child_id INTEGER NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	school_id INTEGER, 
	status_date DATE, 
	CONSTRAINT pk_child_status PRIMARY KEY (child_id), 
	CONSTRAINT fk_child_status_child_id_children FOREIGN KEY(child_id) REFERENCES children (id) ON DELETE CASCADE, 
	CONSTRAINT fk_child_status_school_id_schools FOREIGN KEY(school_id) REFERENCES schools (id) ON DELETE SET NULL
);
CREATE TABLE child_summaries (
	child_id INTEGER NOT NULL, 
	upn VARCHAR(13), 
	surname VARCHAR(200) NOT NULL, 
	forename VARCHAR(200) NOT NULL, 
	surname_key VARCHAR(200) NOT NULL, 
	forename_key VARCHAR(200) NOT NULL, 
	date_of_birth DATE, 
	sex VARCHAR(1), 
	nc_year VARCHAR(3), 
	year_order INTEGER, 
	school_id INTEGER, 
	school_laestab VARCHAR(7), 
	school_name VARCHAR(300), 
	school_key VARCHAR(300), 
	census_date DATE, 
	flag_count INTEGER NOT NULL, 
	status VARCHAR(20), 
	status_date DATE, 
	CONSTRAINT pk_child_summaries PRIMARY KEY (child_id), 
	CONSTRAINT fk_child_summaries_child_id_children FOREIGN KEY(child_id) REFERENCES children (id) ON DELETE CASCADE, 
	CONSTRAINT fk_child_summaries_school_id_schools FOREIGN KEY(school_id) REFERENCES schools (id) ON DELETE SET NULL
);
CREATE TABLE children (
	id INTEGER NOT NULL, 
	surname VARCHAR(200) NOT NULL, 
	forename VARCHAR(200) NOT NULL, 
	date_of_birth DATE, 
	sex VARCHAR(1), 
	looked_after BOOLEAN, 
	created_at DATETIME NOT NULL, 
	batch_id INTEGER, 
	CONSTRAINT pk_children PRIMARY KEY (id), 
	CONSTRAINT fk_children_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id) ON DELETE SET NULL
);
CREATE TABLE enrolments (
	id INTEGER NOT NULL, 
	child_id INTEGER NOT NULL, 
	school_id INTEGER NOT NULL, 
	entry_date DATE, 
	leaving_date DATE, 
	leaving_reason VARCHAR(200), 
	destination VARCHAR(300), 
	enrol_status VARCHAR(1), 
	batch_id INTEGER, 
	upn_seen VARCHAR(13), 
	CONSTRAINT pk_enrolments PRIMARY KEY (id), 
	CONSTRAINT uq_enrolments_child_id_school_id_entry_date_enrol_status UNIQUE (child_id, school_id, entry_date, enrol_status), 
	CONSTRAINT fk_enrolments_child_id_children FOREIGN KEY(child_id) REFERENCES children (id) ON DELETE CASCADE, 
	CONSTRAINT fk_enrolments_school_id_schools FOREIGN KEY(school_id) REFERENCES schools (id), 
	CONSTRAINT fk_enrolments_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id) ON DELETE SET NULL
);
CREATE TABLE exclusions (
	id INTEGER NOT NULL, 
	child_id INTEGER NOT NULL, 
	school_id INTEGER NOT NULL, 
	category VARCHAR(4) NOT NULL, 
	start_date DATE NOT NULL, 
	end_date DATE, 
	sessions FLOAT NOT NULL, 
	reason1 VARCHAR(4), 
	reason2 VARCHAR(4), 
	reason3 VARCHAR(4), 
	review_outcome VARCHAR(100), 
	batch_id INTEGER, 
	upn_seen VARCHAR(13), 
	CONSTRAINT pk_exclusions PRIMARY KEY (id), 
	CONSTRAINT uq_exclusions_child_id_school_id_category_start_date UNIQUE (child_id, school_id, category, start_date), 
	CONSTRAINT fk_exclusions_child_id_children FOREIGN KEY(child_id) REFERENCES children (id) ON DELETE CASCADE, 
	CONSTRAINT fk_exclusions_school_id_schools FOREIGN KEY(school_id) REFERENCES schools (id), 
	CONSTRAINT fk_exclusions_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id) ON DELETE SET NULL
);
CREATE TABLE families (
	id INTEGER NOT NULL, 
	family_key VARCHAR(300) NOT NULL, 
	basis VARCHAR(20) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_families PRIMARY KEY (id), 
	CONSTRAINT uq_families_family_key UNIQUE (family_key)
);
CREATE TABLE family_decisions (
	id INTEGER NOT NULL, 
	child_id INTEGER NOT NULL, 
	other_child_id INTEGER NOT NULL, 
	decision VARCHAR(10) NOT NULL, 
	decided_by VARCHAR(200), 
	decided_at DATETIME NOT NULL, 
	CONSTRAINT pk_family_decisions PRIMARY KEY (id), 
	CONSTRAINT uq_family_decisions_child_id_other_child_id UNIQUE (child_id, other_child_id), 
	CONSTRAINT fk_family_decisions_child_id_children FOREIGN KEY(child_id) REFERENCES children (id) ON DELETE CASCADE, 
	CONSTRAINT fk_family_decisions_other_child_id_children FOREIGN KEY(other_child_id) REFERENCES children (id) ON DELETE CASCADE
);
CREATE TABLE family_members (
	family_id INTEGER NOT NULL, 
	child_id INTEGER NOT NULL, 
	CONSTRAINT pk_family_members PRIMARY KEY (family_id, child_id), 
	CONSTRAINT fk_family_members_family_id_families FOREIGN KEY(family_id) REFERENCES families (id) ON DELETE CASCADE, 
	CONSTRAINT fk_family_members_child_id_children FOREIGN KEY(child_id) REFERENCES children (id) ON DELETE CASCADE
);
CREATE TABLE flags (
	id INTEGER NOT NULL, 
	child_id INTEGER NOT NULL, 
	rule VARCHAR(40) NOT NULL, 
	rule_version INTEGER NOT NULL, 
	as_of DATE NOT NULL, 
	reason TEXT NOT NULL, 
	evidence TEXT, 
	first_raised DATE NOT NULL, 
	last_seen DATE NOT NULL, 
	cleared_on DATE, 
	updated_at DATETIME, 
	reviewed_by VARCHAR(200), 
	reviewed_at DATETIME, 
	CONSTRAINT pk_flags PRIMARY KEY (id), 
	CONSTRAINT uq_flags_child_id_rule UNIQUE (child_id, rule), 
	CONSTRAINT fk_flags_child_id_children FOREIGN KEY(child_id) REFERENCES children (id) ON DELETE CASCADE
);
CREATE TABLE identity_reviews (
	id INTEGER NOT NULL, 
	child_id INTEGER NOT NULL, 
	candidate_id INTEGER NOT NULL, 
	reason TEXT NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	decided_by VARCHAR(200), 
	decided_at DATETIME, 
	batch_id INTEGER, 
	former_upn_reason TEXT, 
	former_upn_batch_id INTEGER, 
	CONSTRAINT pk_identity_reviews PRIMARY KEY (id), 
	CONSTRAINT uq_identity_reviews_child_id_candidate_id UNIQUE (child_id, candidate_id), 
	CONSTRAINT fk_identity_reviews_child_id_children FOREIGN KEY(child_id) REFERENCES children (id) ON DELETE CASCADE, 
	CONSTRAINT fk_identity_reviews_candidate_id_children FOREIGN KEY(candidate_id) REFERENCES children (id) ON DELETE CASCADE, 
	CONSTRAINT fk_identity_reviews_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id) ON DELETE SET NULL
);
CREATE TABLE import_batches (
	id INTEGER NOT NULL, 
	file_name VARCHAR(500) NOT NULL, 
	file_hash VARCHAR(64) NOT NULL, 
	kind VARCHAR(20) NOT NULL, 
	sheet VARCHAR(200), 
	census_date DATE, 
	imported_at DATETIME NOT NULL, 
	imported_by VARCHAR(200), 
	rows_read INTEGER NOT NULL, 
	rows_imported INTEGER NOT NULL, 
	rows_rejected INTEGER NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	undone_at DATETIME, 
	undone_by VARCHAR(200), 
	mapping TEXT, 
	warnings TEXT, 
	CONSTRAINT pk_import_batches PRIMARY KEY (id)
);
CREATE TABLE mapping_profiles (
	id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	kind VARCHAR(20) NOT NULL, 
	header_signature VARCHAR(64) NOT NULL, 
	mapping TEXT NOT NULL, 
	created_by VARCHAR(200), 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_mapping_profiles PRIMARY KEY (id), 
	CONSTRAINT uq_mapping_profiles_header_signature UNIQUE (header_signature)
);
CREATE TABLE national_figures (
	id INTEGER NOT NULL, 
	time_period VARCHAR(6) NOT NULL, 
	geographic_level VARCHAR(40) NOT NULL, 
	region_name VARCHAR(100), 
	la_name VARCHAR(100), 
	old_la_code VARCHAR(3), 
	education_phase VARCHAR(60), 
	characteristic_group VARCHAR(100), 
	characteristic VARCHAR(100), 
	headcount INTEGER, 
	suspension INTEGER, 
	susp_rate FLOAT, 
	perm_excl INTEGER, 
	perm_excl_rate FLOAT, 
	one_plus_susp INTEGER, 
	one_plus_susp_rate FLOAT, 
	source_file VARCHAR(300), 
	CONSTRAINT pk_national_figures PRIMARY KEY (id)
);
CREATE TABLE purge_log (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	account VARCHAR(200) NOT NULL, 
	record_type VARCHAR(40) NOT NULL, 
	count INTEGER NOT NULL, 
	ids TEXT NOT NULL, 
	detail TEXT, 
	CONSTRAINT pk_purge_log PRIMARY KEY (id)
);
CREATE TABLE record_merges (
	id INTEGER NOT NULL, 
	record_type VARCHAR(30) NOT NULL, 
	kept_id INTEGER NOT NULL, 
	merged_id INTEGER NOT NULL, 
	batch_id INTEGER, 
	row_number INTEGER, 
	reason TEXT NOT NULL, 
	detail TEXT NOT NULL, 
	merged_at DATETIME NOT NULL, 
	merged_by VARCHAR(200), 
	undone_at DATETIME, 
	CONSTRAINT pk_record_merges PRIMARY KEY (id), 
	CONSTRAINT fk_record_merges_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id) ON DELETE SET NULL
);
CREATE TABLE record_sources (
	record_type VARCHAR(30) NOT NULL, 
	record_id INTEGER NOT NULL, 
	batch_id INTEGER NOT NULL, 
	row_number INTEGER, 
	CONSTRAINT pk_record_sources PRIMARY KEY (record_type, record_id, batch_id), 
	CONSTRAINT fk_record_sources_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id) ON DELETE CASCADE
);
CREATE TABLE record_versions (
	record_type VARCHAR(30) NOT NULL, 
	record_id INTEGER NOT NULL, 
	batch_id INTEGER NOT NULL, 
	row_number INTEGER, 
	stated TEXT NOT NULL, 
	CONSTRAINT pk_record_versions PRIMARY KEY (record_type, record_id, batch_id), 
	CONSTRAINT fk_record_versions_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id) ON DELETE CASCADE
);
CREATE TABLE regional_census (
	child_id INTEGER NOT NULL, 
	school_id INTEGER NOT NULL, 
	census_date DATE NOT NULL, 
	nc_year VARCHAR(3), 
	enrol_status VARCHAR(1), 
	entry_date DATE, 
	fsm BOOLEAN, 
	sen VARCHAR(1)
);
CREATE TABLE regional_census_returns (
	return_id INTEGER NOT NULL, 
	school_id INTEGER NOT NULL, 
	census_date DATE NOT NULL, 
	CONSTRAINT pk_regional_census_returns PRIMARY KEY (return_id, school_id, census_date)
);
CREATE TABLE regional_children (
	id INTEGER NOT NULL, 
	return_id INTEGER NOT NULL, 
	local_number INTEGER NOT NULL, 
	person_id INTEGER, 
	birth_month VARCHAR(7), 
	sex VARCHAR(1), 
	ethnicity VARCHAR(4), 
	fsm BOOLEAN, 
	sen VARCHAR(1), 
	looked_after BOOLEAN, 
	postcode_sector VARCHAR(8), 
	CONSTRAINT pk_regional_children PRIMARY KEY (id)
);
CREATE TABLE regional_exclusions (
	child_id INTEGER NOT NULL, 
	school_id INTEGER NOT NULL, 
	category VARCHAR(4) NOT NULL, 
	start_date DATE NOT NULL, 
	end_date DATE, 
	sessions FLOAT NOT NULL, 
	reason1 VARCHAR(4), 
	reason2 VARCHAR(4), 
	reason3 VARCHAR(4), 
	review_outcome VARCHAR(30)
);
CREATE TABLE regional_flags (
	person_id INTEGER NOT NULL, 
	rule VARCHAR(40) NOT NULL, 
	rule_version INTEGER NOT NULL, 
	as_of DATE NOT NULL, 
	reason TEXT NOT NULL, 
	evidence TEXT, 
	CONSTRAINT pk_regional_flags PRIMARY KEY (person_id, rule)
);
CREATE TABLE regional_local_flags (
	child_id INTEGER NOT NULL, 
	rule VARCHAR(40) NOT NULL, 
	rule_version INTEGER NOT NULL, 
	as_of DATE NOT NULL, 
	CONSTRAINT pk_regional_local_flags PRIMARY KEY (child_id, rule)
);
CREATE TABLE regional_people (
	id INTEGER NOT NULL, 
	pseudonym VARCHAR(26) NOT NULL, 
	authorities VARCHAR(100) NOT NULL, 
	CONSTRAINT pk_regional_people PRIMARY KEY (id), 
	CONSTRAINT uq_regional_people_pseudonym UNIQUE (pseudonym)
);
CREATE TABLE regional_pseudonyms (
	child_id INTEGER NOT NULL, 
	pseudonym VARCHAR(26) NOT NULL, 
	kind VARCHAR(7) NOT NULL, 
	CONSTRAINT pk_regional_pseudonyms PRIMARY KEY (child_id, pseudonym)
);
CREATE TABLE regional_registrations (
	child_id INTEGER NOT NULL, 
	school_id INTEGER NOT NULL, 
	entry_date DATE, 
	leaving_date DATE, 
	enrol_status VARCHAR(1), 
	leaving_reason VARCHAR(40), 
	destination_laestab VARCHAR(7)
);
CREATE TABLE regional_returns (
	id INTEGER NOT NULL, 
	la_code VARCHAR(3) NOT NULL, 
	la_name VARCHAR(100), 
	format_version INTEGER NOT NULL, 
	made_at DATETIME NOT NULL, 
	as_of DATE NOT NULL, 
	key_fingerprint VARCHAR(16) NOT NULL, 
	file_name VARCHAR(500) NOT NULL, 
	file_hash VARCHAR(64) NOT NULL, 
	imported_at DATETIME NOT NULL, 
	imported_by VARCHAR(200), 
	status VARCHAR(10) NOT NULL, 
	first_child_id INTEGER, 
	last_child_id INTEGER, 
	children INTEGER NOT NULL, 
	census_rows INTEGER NOT NULL, 
	exclusions INTEGER NOT NULL, 
	CONSTRAINT pk_regional_returns PRIMARY KEY (id)
);
CREATE TABLE regional_school_links (
	school_id INTEGER NOT NULL, 
	linked_school_id INTEGER NOT NULL, 
	link_type VARCHAR(50) NOT NULL, 
	CONSTRAINT pk_regional_school_links PRIMARY KEY (school_id, linked_school_id, link_type)
);
CREATE TABLE regional_schools (
	id INTEGER NOT NULL, 
	laestab VARCHAR(7) NOT NULL, 
	urn VARCHAR(10), 
	name VARCHAR(300) NOT NULL, 
	la_code VARCHAR(3), 
	phase VARCHAR(30), 
	school_type VARCHAR(100), 
	open_date DATE, 
	close_date DATE, 
	low_age INTEGER, 
	high_age INTEGER, 
	CONSTRAINT pk_regional_schools PRIMARY KEY (id), 
	CONSTRAINT uq_regional_schools_laestab UNIQUE (laestab)
);
CREATE TABLE rejected_rows (
	id INTEGER NOT NULL, 
	batch_id INTEGER NOT NULL, 
	row_number INTEGER NOT NULL, 
	upn VARCHAR(20), 
	reason TEXT NOT NULL, 
	raw TEXT, 
	CONSTRAINT pk_rejected_rows PRIMARY KEY (id), 
	CONSTRAINT fk_rejected_rows_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id) ON DELETE CASCADE
);
CREATE TABLE school_links (
	id INTEGER NOT NULL, 
	school_id INTEGER NOT NULL, 
	linked_school_id INTEGER NOT NULL, 
	link_type VARCHAR(50) NOT NULL, 
	established_date DATE, 
	batch_id INTEGER, 
	CONSTRAINT pk_school_links PRIMARY KEY (id), 
	CONSTRAINT uq_school_links_school_id_linked_school_id_link_type UNIQUE (school_id, linked_school_id, link_type), 
	CONSTRAINT fk_school_links_school_id_schools FOREIGN KEY(school_id) REFERENCES schools (id) ON DELETE CASCADE, 
	CONSTRAINT fk_school_links_linked_school_id_schools FOREIGN KEY(linked_school_id) REFERENCES schools (id) ON DELETE CASCADE, 
	CONSTRAINT fk_school_links_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id) ON DELETE SET NULL
);
CREATE TABLE schools (
	id INTEGER NOT NULL, 
	laestab VARCHAR(7) NOT NULL, 
	urn VARCHAR(10), 
	name VARCHAR(300) NOT NULL, 
	la_code VARCHAR(3), 
	phase VARCHAR(30), 
	school_type VARCHAR(100), 
	low_age INTEGER, 
	high_age INTEGER, 
	open_date DATE, 
	close_date DATE, 
	batch_id INTEGER, 
	CONSTRAINT pk_schools PRIMARY KEY (id), 
	CONSTRAINT uq_schools_laestab UNIQUE (laestab), 
	CONSTRAINT uq_schools_urn UNIQUE (urn), 
	CONSTRAINT fk_schools_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id) ON DELETE SET NULL
);
CREATE TABLE settings (
	"key" VARCHAR(100) NOT NULL, 
	value TEXT NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by VARCHAR(200), 
	CONSTRAINT pk_settings PRIMARY KEY ("key")
);
CREATE TABLE users (
	id INTEGER NOT NULL, 
	account VARCHAR(200) NOT NULL, 
	display_name VARCHAR(200), 
	role VARCHAR(20) NOT NULL, 
	active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_users PRIMARY KEY (id), 
	CONSTRAINT uq_users_account UNIQUE (account)
);
CREATE INDEX ix_audit_log_action ON audit_log (action);
CREATE INDEX ix_case_events_case_id ON case_events (case_id);
CREATE INDEX ix_case_notes_case_id ON case_notes (case_id);
CREATE INDEX ix_cases_assigned_to ON cases (assigned_to);
CREATE INDEX ix_cases_last_action_at ON cases (last_action_at);
CREATE INDEX ix_census_observations_batch_id ON census_observations (batch_id);
CREATE INDEX ix_census_observations_census_date ON census_observations (census_date);
CREATE INDEX ix_census_observations_school_id_census_date ON census_observations (school_id, census_date);
CREATE INDEX ix_child_family_keys_address_key ON child_family_keys (address_key);
CREATE INDEX ix_child_family_keys_family_key ON child_family_keys (family_key);
CREATE INDEX ix_child_identifiers_batch_id ON child_identifiers (batch_id);
CREATE INDEX ix_child_identifiers_child_id ON child_identifiers (child_id);
CREATE UNIQUE INDEX ix_child_identifiers_upn ON child_identifiers (upn);
CREATE INDEX ix_child_summaries_dob ON child_summaries (date_of_birth, surname_key, forename_key, child_id);
CREATE INDEX ix_child_summaries_flags ON child_summaries (flag_count, surname_key, forename_key, child_id);
CREATE INDEX ix_child_summaries_forename ON child_summaries (forename_key);
CREATE INDEX ix_child_summaries_name ON child_summaries (surname_key, forename_key, child_id);
CREATE INDEX ix_child_summaries_school ON child_summaries (school_key, surname_key, forename_key, child_id);
CREATE INDEX ix_child_summaries_school_id ON child_summaries (school_id);
CREATE INDEX ix_child_summaries_status ON child_summaries (status, surname_key, forename_key, child_id);
CREATE INDEX ix_child_summaries_upn ON child_summaries (upn);
CREATE INDEX ix_child_summaries_year ON child_summaries (year_order, nc_year, surname_key, forename_key, child_id);
CREATE INDEX ix_children_batch_id ON children (batch_id);
CREATE INDEX ix_enrolments_batch_id ON enrolments (batch_id);
CREATE INDEX ix_enrolments_school_id ON enrolments (school_id);
CREATE INDEX ix_exclusions_batch_id ON exclusions (batch_id);
CREATE INDEX ix_exclusions_school_id ON exclusions (school_id);
CREATE INDEX ix_exclusions_start_date ON exclusions (start_date);
CREATE INDEX ix_family_members_child_id ON family_members (child_id);
CREATE INDEX ix_flags_rule ON flags (rule);
CREATE INDEX ix_identity_reviews_batch_id ON identity_reviews (batch_id);
CREATE INDEX ix_import_batches_file_hash ON import_batches (file_hash);
CREATE INDEX ix_national_figures_key ON national_figures (time_period, geographic_level, old_la_code);
CREATE INDEX ix_record_merges_batch_id ON record_merges (batch_id);
CREATE INDEX ix_record_merges_kept_id ON record_merges (kept_id);
CREATE INDEX ix_record_sources_batch_id ON record_sources (batch_id);
CREATE INDEX ix_record_versions_batch_id ON record_versions (batch_id);
CREATE INDEX ix_regional_census_census_date ON regional_census (census_date);
CREATE INDEX ix_regional_census_child_id ON regional_census (child_id);
CREATE INDEX ix_regional_children_person_id ON regional_children (person_id);
CREATE INDEX ix_regional_children_return_id ON regional_children (return_id);
CREATE INDEX ix_regional_exclusions_child_id ON regional_exclusions (child_id);
CREATE INDEX ix_regional_exclusions_start_date ON regional_exclusions (start_date);
CREATE INDEX ix_regional_pseudonyms_pseudonym ON regional_pseudonyms (pseudonym);
CREATE INDEX ix_regional_registrations_child_id ON regional_registrations (child_id);
CREATE INDEX ix_regional_returns_la_code ON regional_returns (la_code);
CREATE INDEX ix_rejected_rows_batch_id ON rejected_rows (batch_id);
CREATE INDEX ix_school_links_batch_id ON school_links (batch_id);
CREATE INDEX ix_school_links_linked_school_id ON school_links (linked_school_id);
CREATE INDEX ix_schools_batch_id ON schools (batch_id);
